import type { menuCategories, menuItems, orderItems, orders, payments, posConnections } from "../../db/schema";
import type { PosCallMetrics } from "./pos-call-metrics";

/** The POS vendors we integrate with; the `pos_type` enum of the schema. */
export type PosType = (typeof posConnections.$inferSelect)["posType"];

/** Our order lifecycle; a POS status is always mapped onto it. */
export type PosOrderStatus = (typeof orders.$inferSelect)["status"];

/** What an adapter needs from a `pos_connections` row. */
export type PosConnection = Pick<
  typeof posConnections.$inferSelect,
  "restaurantId" | "posType" | "baseUrl" | "locationRef" | "credentials"
>;

/**
 * One order line as the POS receives it: `posItemId` is the item's
 * `menu_items.pos_external_id`, `posCategoryId` its category's (Toast wants
 * both to place an item); null when the menu was never synced from the POS.
 */
export type PosOrderLine = Pick<
  typeof orderItems.$inferSelect,
  "name" | "quantity" | "unitPriceCents" | "totalCents"
> & {
  posItemId: string | null;
  posCategoryId: string | null;
};

/** An order of ours to create on the POS. `orderId` drives the idempotency key. */
export type PosOrderInput = Pick<
  typeof orders.$inferSelect,
  "type" | "currency" | "subtotalCents" | "discountCents" | "taxCents" | "deliveryFeeCents" | "totalCents" | "notes"
> & {
  orderId: number;
  lines: PosOrderLine[];
};

/** The POS's view of an order: its id (→ `orders.pos_order_id`) and its status mapped onto ours. */
export type PosOrderSnapshot = {
  posOrderId: string;
  status: PosOrderStatus;
  totalCents: number;
};

/** An order of ours to cancel on the POS (`orderId` drives the idempotency key). */
export type PosCancelInput = { orderId: number; posOrderId: string };

/** A payment of ours to record on the POS against an order it already has. */
export type PosPaymentInput = Pick<typeof payments.$inferSelect, "amountCents" | "method"> & {
  paymentId: number;
  orderId: number;
  posOrderId: string;
  currency: string;
};

/** The recorded payment (→ `payments.pos_payment_id`). */
export type PosPaymentSnapshot = {
  posPaymentId: string;
  posOrderId: string;
  amountCents: number;
};

/** A refund of ours (its provider refund completed) to record against the payment the POS has. */
export type PosRefundInput = {
  paymentId: number;
  orderId: number;
  posOrderId: string;
  posPaymentId: string;
  amountCents: number;
  currency: string;
};

/** The recorded refund (→ `payments.pos_refund_id`). */
export type PosRefundSnapshot = { posRefundId: string; amountCents: number };

/** A category as the POS has it; `posExternalId` → `menu_categories.pos_external_id`. */
export type PosCatalogCategory = Pick<typeof menuCategories.$inferSelect, "name" | "position"> & {
  posExternalId: string;
};

/** An item as the POS has it; `posExternalId` → `menu_items.pos_external_id`. */
export type PosCatalogItem = Pick<typeof menuItems.$inferSelect, "name" | "description" | "priceCents"> & {
  posExternalId: string;
  categoryPosExternalId: string;
  /** Whether it is on sale; null when the vendor's menu does not say (Toast keeps that in its stock API). */
  available: boolean | null;
};

/** The whole menu of one POS location: what MenuSyncFromPOS upserts (and what it no longer lists, removes). */
export type PosCatalog = {
  categories: PosCatalogCategory[];
  items: PosCatalogItem[];
};

/** A stock level for one item at the connection's location (→ `inventory_levels.quantity`). */
export type PosInventoryLevel = {
  posItemId: string;
  quantity: number;
};

export type PosHealth = {
  ok: boolean;
  latencyMs: number;
};

/** Per-call options: the caller's signal (a job's AbortSignal) is combined with the adapter's own timeout. */
export type PosCallOptions = {
  signal?: AbortSignal;
};

/**
 * One POS, one location. Every method either resolves or throws a `PosError`
 * (see `errors.ts`). Writes carry idempotency keys derived from our ids, so
 * calling them again after a timeout or a crash returns the first result
 * instead of creating a second object on the POS.
 */
export interface PosAdapter {
  readonly posType: PosType;
  createOrder(input: PosOrderInput, options?: PosCallOptions): Promise<PosOrderSnapshot>;
  fetchOrderStatus(posOrderId: string, options?: PosCallOptions): Promise<PosOrderSnapshot>;
  recordPayment(input: PosPaymentInput, options?: PosCallOptions): Promise<PosPaymentSnapshot>;
  /**
   * Records that a payment the POS has was refunded (the money went back through the payment
   * provider). Called only once the order's cancellation reached the POS.
   */
  recordRefund(input: PosRefundInput, options?: PosCallOptions): Promise<PosRefundSnapshot>;
  /**
   * Cancels (voids) the order on the POS; an order already cancelled there is returned as it is.
   * A POS that refuses (the order is completed) throws a `PosRejectedError`.
   */
  cancelOrder(input: PosCancelInput, options?: PosCallOptions): Promise<PosOrderSnapshot>;
  fetchInventory(options?: PosCallOptions): Promise<PosInventoryLevel[]>;
  fetchCatalog(options?: PosCallOptions): Promise<PosCatalog>;
  healthCheck(options?: PosCallOptions): Promise<PosHealth>;
}

/**
 * What keeps one connection's calls under its rate: `acquire` resolves when a call may go (after
 * waiting for a token, if the wait is short) or throws a `PosRetryableError` with reason
 * `rate_limited` and `retryAfterMs`; `pause` records a POS's 429 so every worker holds off.
 */
export type PosThrottle = {
  acquire(signal?: AbortSignal): Promise<void>;
  pause(ms: number): Promise<void>;
};

/** Construction options every adapter takes; the settings come from `src/config.ts` via the factory. */
export type PosAdapterOptions = {
  connection: PosConnection;
  /** Deadline of one HTTP exchange with the POS. */
  timeoutMs?: number;
  /** A `Retry-After` up to this long is waited out inline once; longer ones are surfaced to the job. */
  maxInlineRetryAfterMs?: number;
  /** Asked before every HTTP request to the POS, and told of every 429 (see `PosThrottle`). */
  throttle?: PosThrottle;
  fetch?: typeof fetch;
  /** Where the adapter's HTTP exchanges are counted (default: this process's `PosCallMetrics`). */
  metrics?: PosCallMetrics;
};
