import type { LocalOrder, LocalPayment, LocalRefund } from "../local/local-schemas";
import type { SquareOrder, SquarePayment } from "../square/square-schemas";
import type { ToastOrder } from "../toast/toast-schemas";
import type { PosCatalog, PosInventoryLevel, PosType } from "../types";

/** One object a vendor created because somebody asked it to: what tests count to prove "exactly once". */
export type RecordedWrite = {
  id: string;
  /** The POS-side order id (for a payment, the order it was recorded against). */
  orderId: string;
  idempotencyKey: string | null;
  tenant: string;
  reference: string | null;
  amountCents: number;
  createdAt: string;
  /** How many later requests with the same idempotency key got this object back. */
  replays: number;
};

export type VendorCounts = {
  requests: number;
  orders: number;
  payments: number;
  replays: number;
  faults: number;
  logins: number;
  /** Requests refused with 429 for being over the vendor's `requestLimit`. */
  throttled: number;
};

type Stored<T> = T & { tenant: string };

/** What Square adds to a Payment once it has refunds. */
export type SquarePaymentRefunds = { refund_ids?: string[]; refunded_money?: { amount: number; currency: string } };

/** A Square PaymentRefund as the simulator keeps it. */
export type SquareRefundRecord = {
  id: string;
  status: "PENDING" | "COMPLETED" | "REJECTED" | "FAILED";
  location_id?: string;
  unlinked: boolean;
  destination_type: string;
  amount_money: { amount: number; currency: string };
  payment_id: string;
  order_id?: string;
  reason?: string;
  created_at: string;
  updated_at: string;
};
type IdempotentAnswer = { fingerprint: string; status: number; body: unknown; write: RecordedWrite | null };

const VENDORS: readonly PosType[] = ["square", "toast", "local"];

/** Everything the simulator remembers; lives in memory for the life of one simulator. */
export class SimulatorState {
  readonly squareOrders = new Map<string, Stored<SquareOrder>>();
  readonly squarePayments = new Map<string, Stored<SquarePayment & SquarePaymentRefunds>>();
  readonly squareRefunds = new Map<string, Stored<SquareRefundRecord>>();
  readonly toastOrders = new Map<string, Stored<ToastOrder>>();
  readonly localOrders = new Map<string, Stored<LocalOrder>>();
  readonly localPayments = new Map<string, Stored<LocalPayment>>();
  readonly localRefunds = new Map<string, Stored<LocalRefund>>();
  /** Issued Toast access tokens → expiry (epoch ms). */
  readonly toastTokens = new Map<string, number>();
  readonly #catalogs = new Map<string, PosCatalog>();
  readonly #inventory = new Map<string, Map<string, number>>();
  readonly #idempotency = new Map<string, IdempotentAnswer>();
  readonly #orders = new Map<PosType, RecordedWrite[]>();
  readonly #payments = new Map<PosType, RecordedWrite[]>();
  readonly #refunds = new Map<PosType, RecordedWrite[]>();
  readonly #counts = new Map<PosType, Omit<VendorCounts, "orders" | "payments" | "faults" | "throttled">>();

  constructor() {
    this.reset();
  }

  reset(): void {
    for (const map of [
      this.squareOrders,
      this.squarePayments,
      this.squareRefunds,
      this.toastOrders,
      this.localOrders,
      this.localPayments,
      this.localRefunds,
    ]) {
      map.clear();
    }
    this.toastTokens.clear();
    this.#catalogs.clear();
    this.#inventory.clear();
    this.#idempotency.clear();
    for (const vendor of VENDORS) {
      this.#orders.set(vendor, []);
      this.#payments.set(vendor, []);
      this.#refunds.set(vendor, []);
      this.#counts.set(vendor, { requests: 0, replays: 0, logins: 0 });
    }
  }

  count(vendor: PosType, what: "requests" | "replays" | "logins"): void {
    const counts = this.#counts.get(vendor)!;
    counts[what] += 1;
  }

  counts(vendor: PosType, faults: number, throttled: number): VendorCounts {
    return {
      ...this.#counts.get(vendor)!,
      orders: this.#orders.get(vendor)!.length,
      payments: this.#payments.get(vendor)!.length,
      faults,
      throttled,
    };
  }

  orders(vendor: PosType): RecordedWrite[] {
    return structuredClone(this.#orders.get(vendor)!);
  }

  payments(vendor: PosType): RecordedWrite[] {
    return structuredClone(this.#payments.get(vendor)!);
  }

  /** Refunds the vendor made (for a refund, `orderId` is the payment it refunds). */
  refunds(vendor: PosType): RecordedWrite[] {
    return structuredClone(this.#refunds.get(vendor)!);
  }

  /**
   * Runs `create` once per (vendor, tenant, scope, key) and answers every
   * repeat with the first answer, as vendors do; a repeat whose body differs
   * is a conflict. Without a key every call creates.
   */
  idempotent(
    vendor: PosType,
    scope: "order" | "payment" | "cancel" | "refund",
    tenant: string,
    key: string | null,
    fingerprint: string,
    create: () => { status: number; body: unknown; write: Omit<RecordedWrite, "replays" | "idempotencyKey"> | null },
  ): { status: number; body: unknown; replay: boolean } | { conflict: true } {
    const slot = key === null ? null : `${vendor}\n${scope}\n${tenant}\n${key}`;
    const previous = slot === null ? undefined : this.#idempotency.get(slot);
    if (previous) {
      if (previous.fingerprint !== fingerprint) return { conflict: true };
      if (previous.write) previous.write.replays += 1;
      this.count(vendor, "replays");
      return { status: previous.status, body: structuredClone(previous.body), replay: true };
    }
    const created = create();
    const write = created.write ? { ...created.write, idempotencyKey: key, replays: 0 } : null;
    if (write) {
      const writes = scope === "payment" ? this.#payments : scope === "refund" ? this.#refunds : this.#orders;
      writes.get(vendor)!.push(write);
    }
    if (slot !== null) {
      // A copy: the live object may change later (status, payments), the remembered answer must not.
      this.#idempotency.set(slot, { fingerprint, status: created.status, body: structuredClone(created.body), write });
    }
    return { status: created.status, body: structuredClone(created.body), replay: false };
  }

  catalog(vendor: PosType, tenant: string): PosCatalog {
    return this.#catalogs.get(`${vendor}\n${tenant}`) ?? { categories: [], items: [] };
  }

  setCatalog(vendor: PosType, tenant: string, catalog: PosCatalog): void {
    this.#catalogs.set(`${vendor}\n${tenant}`, structuredClone(catalog));
  }

  inventory(vendor: PosType, tenant: string): PosInventoryLevel[] {
    const levels = this.#inventory.get(`${vendor}\n${tenant}`) ?? new Map();
    return [...levels].map(([posItemId, quantity]) => ({ posItemId, quantity }));
  }

  /** Merges levels into the tenant's stock (the POS side of a stock change). */
  setInventory(vendor: PosType, tenant: string, levels: readonly PosInventoryLevel[]): void {
    const key = `${vendor}\n${tenant}`;
    const current = this.#inventory.get(key) ?? new Map<string, number>();
    for (const level of levels) current.set(level.posItemId, level.quantity);
    this.#inventory.set(key, current);
  }
}

/** A fresh POS-style id: uppercase alphanumerics like Square's, or a UUID like Toast's GUIDs. */
export function simulatorId(style: "square" | "guid" | "local"): string {
  const uuid = crypto.randomUUID();
  if (style === "guid") return uuid;
  const compact = uuid.replaceAll("-", "").toUpperCase();
  return style === "square" ? compact.slice(0, 24) : `L${compact.slice(0, 12)}`;
}
