import { PosRejectedError } from "../errors";
import { adapterHttpClient, type PosErrorDescription, type PosHttpClient } from "../http";
import {
  cancelIdempotencyKey,
  orderIdempotencyKey,
  orderReference,
  paymentIdempotencyKey,
  posRefundIdempotencyKey,
} from "../idempotency";
import type {
  PosAdapter,
  PosAdapterOptions,
  PosCallOptions,
  PosCancelInput,
  PosCatalog,
  PosCatalogCategory,
  PosCatalogItem,
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
  type SquareCatalogObject,
  type SquareOrder,
  squareCatalogListResponseSchema,
  squareErrorBodySchema,
  squareInventoryCountsResponseSchema,
  squareLocationResponseSchema,
  squareOrderResponseSchema,
  squarePaymentResponseSchema,
  squareRefundResponseSchema,
} from "./square-schemas";
import { squareOrderStatus } from "./square-status";

/** The Square API version we were written against, sent as `Square-Version`. */
export const SQUARE_API_VERSION = "2025-10-16";

/** Items Square lists without a category land here, because our menu items need one. */
export const SQUARE_UNCATEGORIZED_ID = "square-uncategorized";

export function describeSquareError(status: number, body: unknown): PosErrorDescription {
  const parsed = squareErrorBodySchema.safeParse(body);
  if (!parsed.success) return { message: `HTTP ${status}` };
  const [first] = parsed.data.errors;
  return {
    code: first?.code,
    message: parsed.data.errors.map((e) => `${e.category}/${e.code}${e.detail ? `: ${e.detail}` : ""}`).join("; "),
  };
}

function snapshot(order: SquareOrder): PosOrderSnapshot {
  return {
    posOrderId: order.id,
    status: squareOrderStatus(order.state, order.fulfillments?.[0]?.state),
    totalCents: order.total_money?.amount ?? 0,
  };
}

/**
 * Square API v2. The connection's `locationRef` is the Square location id and
 * `credentials.accessToken` the seller's access token. Our menu items map to
 * Square item *variations* (that is what orders and inventory counts reference).
 */
export class SquareAdapter implements PosAdapter {
  readonly posType = "square" as const;
  readonly #http: PosHttpClient;
  readonly #locationId: string;
  readonly #headers: Record<string, string>;

  constructor(options: PosAdapterOptions) {
    const { connection } = options;
    this.#locationId = connection.locationRef;
    this.#headers = {
      authorization: `Bearer ${connection.credentials.accessToken ?? ""}`,
      "square-version": connection.credentials.squareVersion ?? SQUARE_API_VERSION,
    };
    this.#http = adapterHttpClient("square", options, { defaultTimeoutMs: 15_000, describeError: describeSquareError });
  }

  async createOrder(input: PosOrderInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const money = (amount: number) => ({ amount, currency: input.currency });
    const charges = [
      { name: "Tax", amount: input.taxCents },
      { name: "Delivery fee", amount: input.deliveryFeeCents },
    ].filter((c) => c.amount > 0);
    const body = {
      idempotency_key: orderIdempotencyKey(input.orderId),
      order: {
        location_id: this.#locationId,
        reference_id: orderReference(input.orderId),
        line_items: input.lines.map((line) => ({
          name: line.name,
          quantity: String(line.quantity),
          base_price_money: money(line.unitPriceCents),
          ...(line.posItemId ? { catalog_object_id: line.posItemId } : {}),
        })),
        // A loyalty reward is an order-level fixed discount; only sent when there is one, so an order
        // without a reward sends the body it always did (its idempotency key compares bodies).
        ...(input.discountCents > 0
          ? {
              discounts: [
                {
                  name: "FoodHub loyalty reward",
                  type: "FIXED_AMOUNT",
                  amount_money: money(input.discountCents),
                  scope: "ORDER",
                },
              ],
            }
          : {}),
        // Our tax and delivery fee are already amounts, not Square tax rates: they travel as fixed charges.
        service_charges: charges.map((c) => ({
          name: c.name,
          amount_money: money(c.amount),
          calculation_phase: "TOTAL_PHASE",
        })),
        fulfillments: [
          {
            type: input.type === "delivery" ? "DELIVERY" : "PICKUP",
            state: "PROPOSED",
            [input.type === "delivery" ? "delivery_details" : "pickup_details"]: {
              schedule_type: "ASAP",
              ...(input.notes ? { note: input.notes } : {}),
            },
          },
        ],
      },
    };
    const { order } = await this.#http.json(
      { method: "POST", path: "/v2/orders", headers: this.#headers, body, signal: options.signal },
      squareOrderResponseSchema,
    );
    return snapshot(order);
  }

  async fetchOrderStatus(posOrderId: string, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const { order } = await this.#http.json(
      {
        method: "GET",
        path: `/v2/orders/${encodeURIComponent(posOrderId)}`,
        headers: this.#headers,
        signal: options.signal,
      },
      squareOrderResponseSchema,
    );
    return snapshot(order);
  }

  /**
   * UpdateOrder (`PUT /v2/orders/{id}`) with the order's current `version`, `state: CANCELED` and
   * every fulfillment CANCELED. Square refuses an outdated version (VERSION_MISMATCH): the order
   * is read again and the update sent once more. The key carries the version, since Square wants
   * a new key per update and replays the old answer for an old one.
   */
  async cancelOrder(input: PosCancelInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    for (let round = 1; ; round++) {
      const { order } = await this.#http.json(
        {
          method: "GET",
          path: `/v2/orders/${encodeURIComponent(input.posOrderId)}`,
          headers: this.#headers,
          signal: options.signal,
        },
        squareOrderResponseSchema,
      );
      if (order.state === "CANCELED") return snapshot(order);
      if (order.state === "COMPLETED") {
        throw new PosRejectedError({
          posType: "square",
          reason: "validation",
          message: `square: order ${order.id} is COMPLETED and cannot be cancelled`,
        });
      }
      const body = {
        idempotency_key: cancelIdempotencyKey(input.orderId, order.version ?? 1),
        order: {
          location_id: this.#locationId,
          version: order.version ?? 1,
          state: "CANCELED",
          fulfillments: (order.fulfillments ?? []).flatMap((f) => (f.uid ? [{ uid: f.uid, state: "CANCELED" }] : [])),
        },
      };
      try {
        const updated = await this.#http.json(
          {
            method: "PUT",
            path: `/v2/orders/${encodeURIComponent(order.id)}`,
            headers: this.#headers,
            body,
            signal: options.signal,
          },
          squareOrderResponseSchema,
        );
        return snapshot(updated.order);
      } catch (error) {
        // Someone moved the order between our read and our write: read it again, once.
        if (round >= 2 || !(error instanceof PosRejectedError) || error.code !== "VERSION_MISMATCH") throw error;
      }
    }
  }

  /** Records money FoodHub collected as an EXTERNAL payment against the Square order. */
  async recordPayment(input: PosPaymentInput, options: PosCallOptions = {}): Promise<PosPaymentSnapshot> {
    const body = {
      idempotency_key: paymentIdempotencyKey(input.paymentId),
      source_id: "EXTERNAL",
      amount_money: { amount: input.amountCents, currency: input.currency },
      order_id: input.posOrderId,
      location_id: this.#locationId,
      reference_id: `FOODHUB-payment-${input.paymentId}`,
      external_details: { type: "EXTERNAL", source: `FoodHub (${input.method})`, source_id: String(input.paymentId) },
    };
    const { payment } = await this.#http.json(
      { method: "POST", path: "/v2/payments", headers: this.#headers, body, signal: options.signal },
      squarePaymentResponseSchema,
    );
    return {
      posPaymentId: payment.id,
      posOrderId: payment.order_id ?? input.posOrderId,
      amountCents: payment.amount_money.amount,
    };
  }

  /** RefundPayment against the EXTERNAL payment we recorded: Square records money given back elsewhere. */
  async recordRefund(input: PosRefundInput, options: PosCallOptions = {}): Promise<PosRefundSnapshot> {
    const body = {
      idempotency_key: posRefundIdempotencyKey(input.paymentId),
      payment_id: input.posPaymentId,
      amount_money: { amount: input.amountCents, currency: input.currency },
      reason: `FoodHub order ${input.orderId} cancelled`,
    };
    const { refund } = await this.#http.json(
      { method: "POST", path: "/v2/refunds", headers: this.#headers, body, signal: options.signal },
      squareRefundResponseSchema,
    );
    if (refund.status === "REJECTED" || refund.status === "FAILED") {
      throw new PosRejectedError({
        posType: "square",
        reason: "validation",
        message: `square: refund ${refund.id} of payment ${input.posPaymentId} is ${refund.status}`,
      });
    }
    return { posRefundId: refund.id, amountCents: refund.amount_money.amount };
  }

  async fetchCatalog(options: PosCallOptions = {}): Promise<PosCatalog> {
    const objects: SquareCatalogObject[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#http.json(
        {
          method: "GET",
          path: "/v2/catalog/list",
          query: { types: "ITEM,CATEGORY", cursor },
          headers: this.#headers,
          signal: options.signal,
        },
        squareCatalogListResponseSchema,
      );
      objects.push(...page.objects);
      cursor = page.cursor;
    } while (cursor);
    return catalogFromSquare(objects);
  }

  async fetchInventory(options: PosCallOptions = {}): Promise<PosInventoryLevel[]> {
    const levels: PosInventoryLevel[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#http.json(
        {
          method: "POST",
          path: "/v2/inventory/counts/batch-retrieve",
          headers: this.#headers,
          body: { location_ids: [this.#locationId], states: ["IN_STOCK"], ...(cursor ? { cursor } : {}) },
          signal: options.signal,
        },
        squareInventoryCountsResponseSchema,
      );
      for (const count of page.counts) {
        if (count.location_id !== this.#locationId || count.state !== "IN_STOCK") continue;
        levels.push({ posItemId: count.catalog_object_id, quantity: Math.floor(Number(count.quantity)) });
      }
      cursor = page.cursor;
    } while (cursor);
    return levels;
  }

  async healthCheck(options: PosCallOptions = {}): Promise<PosHealth> {
    const started = performance.now();
    const { location } = await this.#http.json(
      {
        method: "GET",
        path: `/v2/locations/${encodeURIComponent(this.#locationId)}`,
        headers: this.#headers,
        signal: options.signal,
      },
      squareLocationResponseSchema,
    );
    return { ok: location.status !== "INACTIVE", latencyMs: Math.round(performance.now() - started) };
  }
}

/** Square's flat object list → our categories and items (one item per Square item, priced by its first variation). */
export function catalogFromSquare(objects: readonly SquareCatalogObject[]): PosCatalog {
  const categories: PosCatalogCategory[] = [];
  const items: PosCatalogItem[] = [];
  for (const object of objects) {
    if (object.is_deleted) continue;
    if (object.type === "CATEGORY" && object.category_data) {
      categories.push({ posExternalId: object.id, name: object.category_data.name, position: categories.length });
    }
  }
  const known = new Set(categories.map((c) => c.posExternalId));
  for (const object of objects) {
    const data = object.item_data;
    if (object.is_deleted || object.type !== "ITEM" || !data) continue;
    const variation = data.variations?.[0];
    if (!variation) continue;
    const categoryId = data.categories?.[0]?.id ?? data.category_id;
    const category = categoryId && known.has(categoryId) ? categoryId : SQUARE_UNCATEGORIZED_ID;
    if (category === SQUARE_UNCATEGORIZED_ID && !known.has(category)) {
      known.add(category);
      categories.push({ posExternalId: category, name: "Uncategorized", position: categories.length });
    }
    items.push({
      posExternalId: variation.id,
      categoryPosExternalId: category,
      name: data.name,
      description: data.description ?? "",
      priceCents: variation.item_variation_data?.price_money?.amount ?? 0,
      available: !data.is_archived,
    });
  }
  return { categories, items };
}
