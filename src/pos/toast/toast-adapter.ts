import type { z } from "zod";
import { PosRejectedError } from "../errors";
import { adapterHttpClient, type PosErrorDescription, type PosHttpClient, type PosRequest } from "../http";
import { cancelIdempotencyKey, orderIdempotencyKey, paymentIdempotencyKey } from "../idempotency";
import type {
  PosAdapter,
  PosAdapterOptions,
  PosCallOptions,
  PosCancelInput,
  PosCatalog,
  PosHealth,
  PosInventoryLevel,
  PosOrderInput,
  PosOrderSnapshot,
  PosPaymentInput,
  PosPaymentSnapshot,
  PosRefundInput,
  PosRefundSnapshot,
} from "../types";
import {
  type ToastMenusResponse,
  type ToastOrder,
  toastErrorBodySchema,
  toastInventoryResponseSchema,
  toastMenusMetadataSchema,
  toastMenusResponseSchema,
  toastOrderSchema,
} from "./toast-schemas";
import { toastOrderStatus } from "./toast-status";
import { ToastTokenCache } from "./toast-token-cache";

/** Toast's header naming the restaurant a request is about. */
export const TOAST_RESTAURANT_HEADER = "Toast-Restaurant-External-ID";
/** Toast's header that makes a POST safe to repeat. */
export const TOAST_IDEMPOTENCY_HEADER = "Toast-Idempotency-Key";

/** Toast external identifiers are "prefixed by the naming authority". */
export function toastExternalId(idempotencyKey: string): string {
  return `FOODHUB:${idempotencyKey}`;
}

export function describeToastError(status: number, body: unknown): PosErrorDescription {
  const parsed = toastErrorBodySchema.safeParse(body);
  if (!parsed.success) return { message: `HTTP ${status}` };
  const code = parsed.data.messageKey ?? (parsed.data.code === undefined ? undefined : String(parsed.data.code));
  return { code, message: parsed.data.message ?? parsed.data.developerMessage ?? `HTTP ${status}` };
}

const toCents = (dollars: number) => Math.round(dollars * 100);
const toDollars = (cents: number) => cents / 100;

function snapshot(order: ToastOrder): PosOrderSnapshot {
  const total = order.checks.reduce((sum, check) => sum + (check.totalAmount ?? 0), 0);
  return { posOrderId: order.guid, status: toastOrderStatus(order), totalCents: toCents(total) };
}

export type ToastAdapterOptions = PosAdapterOptions & {
  /** Shared across adapters so a token is reused until it expires; see `ToastTokenCache`. */
  tokenCache?: ToastTokenCache;
};

/**
 * Toast APIs. `locationRef` is the restaurant GUID; `credentials` hold the
 * OAuth `clientId`/`clientSecret` and optionally `pickupDiningOptionGuid`,
 * `deliveryDiningOptionGuid` and `otherPaymentGuid` (the restaurant's
 * alternative payment type that FoodHub payments are recorded as).
 */
export class ToastAdapter implements PosAdapter {
  readonly posType = "toast" as const;
  readonly #http: PosHttpClient;
  readonly #tokens: ToastTokenCache;
  readonly #restaurantGuid: string;
  readonly #credentials: Record<string, string>;

  constructor(options: ToastAdapterOptions) {
    const { connection } = options;
    this.#restaurantGuid = connection.locationRef;
    this.#credentials = connection.credentials;
    this.#tokens = options.tokenCache ?? new ToastTokenCache();
    // Toast documents order responses taking up to 30 s; a shorter deadline only causes needless retries.
    this.#http = adapterHttpClient("toast", options, { defaultTimeoutMs: 30_000, describeError: describeToastError });
  }

  async createOrder(input: PosOrderInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const key = orderIdempotencyKey(input.orderId);
    const diningOption =
      input.type === "delivery" ? this.#credentials.deliveryDiningOptionGuid : this.#credentials.pickupDiningOptionGuid;
    const selections = input.lines.map((line) => {
      if (!line.posItemId) {
        throw new PosRejectedError({
          posType: "toast",
          reason: "validation",
          message: `toast: "${line.name}" has no Toast menu item; sync the menu from Toast first`,
        });
      }
      return {
        entityType: "MenuItemSelection",
        item: { guid: line.posItemId, entityType: "MenuItem" },
        ...(line.posCategoryId ? { itemGroup: { guid: line.posCategoryId, entityType: "MenuGroup" } } : {}),
        quantity: line.quantity,
      };
    });
    const body = {
      entityType: "Order",
      externalId: toastExternalId(key),
      ...(diningOption ? { diningOption: { guid: diningOption, entityType: "DiningOption" } } : {}),
      checks: [{ entityType: "Check", externalId: toastExternalId(key), selections }],
    };
    const order = await this.#call(
      { method: "POST", path: "/orders/v2/orders", headers: { [TOAST_IDEMPOTENCY_HEADER]: key }, body },
      toastOrderSchema,
      options,
    );
    return snapshot(order);
  }

  async fetchOrderStatus(posOrderId: string, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    return snapshot(await this.#order(posOrderId, options));
  }

  /**
   * Voids the order (`POST /orders/v2/orders/{guid}/void`) with its selections and payments, as
   * Toast requires ("you must also void the order's payment at the same time"). Toast refuses to
   * void an order twice, so one already voided is returned as it is.
   */
  async cancelOrder(input: PosCancelInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const order = await this.#order(input.posOrderId, options);
    if (order.voided) return snapshot(order);
    const voided = await this.#call(
      {
        method: "POST",
        path: `/orders/v2/orders/${encodeURIComponent(order.guid)}/void`,
        headers: { [TOAST_IDEMPOTENCY_HEADER]: cancelIdempotencyKey(input.orderId) },
        body: { selections: { voidAll: true }, payments: { voidAll: true } },
      },
      toastOrderSchema,
      options,
    );
    return snapshot(voided);
  }

  /** Adds an OTHER (alternative) payment to the order's first check; the key keeps a retry from paying twice. */
  async recordPayment(input: PosPaymentInput, options: PosCallOptions = {}): Promise<PosPaymentSnapshot> {
    const key = paymentIdempotencyKey(input.paymentId);
    const externalId = toastExternalId(key);
    const order = await this.#order(input.posOrderId, options);
    const check = order.checks[0];
    if (!check) {
      throw new PosRejectedError({
        posType: "toast",
        reason: "validation",
        message: `toast: order ${order.guid} has no check`,
      });
    }
    const body = [
      {
        entityType: "Payment",
        externalId,
        type: "OTHER",
        amount: toDollars(input.amountCents),
        tipAmount: 0,
        ...(this.#credentials.otherPaymentGuid
          ? { otherPayment: { guid: this.#credentials.otherPaymentGuid, entityType: "AlternatePaymentType" } }
          : {}),
      },
    ];
    const updated = await this.#call(
      {
        method: "POST",
        path: `/orders/v2/orders/${encodeURIComponent(order.guid)}/checks/${encodeURIComponent(check.guid)}/payments`,
        headers: { [TOAST_IDEMPOTENCY_HEADER]: key },
        body,
      },
      toastOrderSchema,
      options,
    );
    const payment = updated.checks.flatMap((c) => c.payments).find((p) => p.externalId === externalId);
    if (!payment) {
      throw new PosRejectedError({
        posType: "toast",
        reason: "validation",
        message: `toast: order ${order.guid} came back without payment ${externalId}`,
      });
    }
    return { posPaymentId: payment.guid, posOrderId: updated.guid, amountCents: toCents(payment.amount) };
  }

  /**
   * Toast's orders API has no refund a partner can post: the money of an OTHER payment goes back
   * when the order is voided with `payments.voidAll` (OrderCancelToPOS does that). So the refund
   * is recorded when the payment reads VOIDED; a payment still live on a voided order (it landed
   * after the void) is refused, for staff to void at the POS.
   */
  async recordRefund(input: PosRefundInput, options: PosCallOptions = {}): Promise<PosRefundSnapshot> {
    const order = await this.#order(input.posOrderId, options);
    const payment = order.checks.flatMap((c) => c.payments).find((p) => p.guid === input.posPaymentId);
    if (payment?.paymentStatus !== "VOIDED") {
      throw new PosRejectedError({
        posType: "toast",
        reason: "validation",
        message: `toast: payment ${input.posPaymentId} of order ${order.guid} is ${payment ? (payment.paymentStatus ?? "not voided") : "missing"}; void it at the POS`,
      });
    }
    return { posRefundId: payment.guid, amountCents: toCents(payment.amount) };
  }

  async fetchCatalog(options: PosCallOptions = {}): Promise<PosCatalog> {
    const menus = await this.#call({ method: "GET", path: "/menus/v2/menus" }, toastMenusResponseSchema, options);
    return catalogFromToast(menus);
  }

  /** Toast lists only limited (QUANTITY) and OUT_OF_STOCK items; anything absent is unlimited. */
  async fetchInventory(options: PosCallOptions = {}): Promise<PosInventoryLevel[]> {
    const inventory = await this.#call(
      { method: "GET", path: "/stock/v1/inventory" },
      toastInventoryResponseSchema,
      options,
    );
    return inventory
      .filter((entry) => entry.status !== "IN_STOCK")
      .map((entry) => ({
        posItemId: entry.guid,
        quantity: entry.status === "OUT_OF_STOCK" ? 0 : Math.floor(entry.quantity ?? 0),
      }));
  }

  async healthCheck(options: PosCallOptions = {}): Promise<PosHealth> {
    const started = performance.now();
    await this.#call({ method: "GET", path: "/menus/v2/metadata" }, toastMenusMetadataSchema, options);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  }

  #order(guid: string, options: PosCallOptions): Promise<ToastOrder> {
    return this.#call(
      { method: "GET", path: `/orders/v2/orders/${encodeURIComponent(guid)}` },
      toastOrderSchema,
      options,
    );
  }

  /** An authenticated call for this restaurant; a refused token is dropped and the call made once more. */
  async #call<T extends z.ZodType>(
    request: Omit<PosRequest, "signal">,
    schema: T,
    options: PosCallOptions,
    renewed = false,
  ): Promise<z.infer<T>> {
    const clientId = this.#credentials.clientId ?? "";
    const token = await this.#tokens.token(this.#http, clientId, this.#credentials.clientSecret ?? "", options.signal);
    try {
      return await this.#http.json(
        {
          ...request,
          headers: {
            ...request.headers,
            authorization: `Bearer ${token}`,
            [TOAST_RESTAURANT_HEADER]: this.#restaurantGuid,
          },
          signal: options.signal,
        },
        schema,
      );
    } catch (error) {
      if (renewed || !(error instanceof PosRejectedError) || error.status !== 401) throw error;
      this.#tokens.invalidate(this.#http, clientId);
      return this.#call(request, schema, options, true);
    }
  }
}

/** Toast's menu → group → (nested group) → item tree, flattened; an item listed twice keeps its first group. */
export function catalogFromToast(response: ToastMenusResponse): PosCatalog {
  const catalog: PosCatalog = { categories: [], items: [] };
  const seenItems = new Set<string>();
  type Group = ToastMenusResponse["menus"][number]["menuGroups"][number];
  const visit = (group: Group) => {
    catalog.categories.push({ posExternalId: group.guid, name: group.name, position: catalog.categories.length });
    for (const item of group.menuItems) {
      if (seenItems.has(item.guid)) continue;
      seenItems.add(item.guid);
      catalog.items.push({
        posExternalId: item.guid,
        categoryPosExternalId: group.guid,
        name: item.name,
        description: item.description ?? "",
        priceCents: toCents(item.price ?? 0),
        // Toast's menus carry no availability; out-of-stock lives in its stock API.
        available: null,
      });
    }
    for (const child of group.menuGroups) visit(child);
  };
  for (const menu of response.menus) for (const group of menu.menuGroups) visit(group);
  return catalog;
}
