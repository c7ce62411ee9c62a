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
  localErrorBodySchema,
  localHealthResponseSchema,
  localInventoryResponseSchema,
  localMenuResponseSchema,
  localOrderResponseSchema,
  localPaymentResponseSchema,
  localRefundResponseSchema,
} from "./local-schemas";

export function describeLocalError(status: number, body: unknown): PosErrorDescription {
  const parsed = localErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error : { message: `HTTP ${status}` };
}

/**
 * The in-house POS (docs/pos-local-contract.md). `locationRef` is the store
 * id, `credentials.accessToken` its bearer token; writes carry `Idempotency-Key`.
 */
export class LocalPosAdapter implements PosAdapter {
  readonly posType = "local" as const;
  readonly #http: PosHttpClient;
  readonly #store: string;
  readonly #headers: Record<string, string>;

  constructor(options: PosAdapterOptions) {
    const { connection } = options;
    this.#store = `/v1/stores/${encodeURIComponent(connection.locationRef)}`;
    this.#headers = { authorization: `Bearer ${connection.credentials.accessToken ?? ""}` };
    this.#http = adapterHttpClient("local", options, { defaultTimeoutMs: 10_000, describeError: describeLocalError });
  }

  async createOrder(input: PosOrderInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const body = {
      reference: orderReference(input.orderId),
      type: input.type,
      currency: input.currency,
      subtotalCents: input.subtotalCents,
      // Only when there is one: an order without a reward sends the body it always did.
      ...(input.discountCents > 0 ? { discountCents: input.discountCents } : {}),
      taxCents: input.taxCents,
      deliveryFeeCents: input.deliveryFeeCents,
      totalCents: input.totalCents,
      notes: input.notes,
      lines: input.lines.map((line) => ({
        itemId: line.posItemId,
        name: line.name,
        quantity: line.quantity,
        unitPriceCents: line.unitPriceCents,
        totalCents: line.totalCents,
      })),
    };
    const { order } = await this.#http.json(
      {
        method: "POST",
        path: `${this.#store}/orders`,
        headers: { ...this.#headers, "idempotency-key": orderIdempotencyKey(input.orderId) },
        body,
        signal: options.signal,
      },
      localOrderResponseSchema,
    );
    return { posOrderId: order.id, status: order.status, totalCents: order.totalCents };
  }

  async fetchOrderStatus(posOrderId: string, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const { order } = await this.#http.json(
      {
        method: "GET",
        path: `${this.#store}/orders/${encodeURIComponent(posOrderId)}`,
        headers: this.#headers,
        signal: options.signal,
      },
      localOrderResponseSchema,
    );
    return { posOrderId: order.id, status: order.status, totalCents: order.totalCents };
  }

  /** `POST …/orders/{id}/cancel`; the contract answers an order already cancelled with the order. */
  async cancelOrder(input: PosCancelInput, options: PosCallOptions = {}): Promise<PosOrderSnapshot> {
    const { order } = await this.#http.json(
      {
        method: "POST",
        path: `${this.#store}/orders/${encodeURIComponent(input.posOrderId)}/cancel`,
        headers: { ...this.#headers, "idempotency-key": cancelIdempotencyKey(input.orderId) },
        body: { reference: orderReference(input.orderId) },
        signal: options.signal,
      },
      localOrderResponseSchema,
    );
    return { posOrderId: order.id, status: order.status, totalCents: order.totalCents };
  }

  async recordPayment(input: PosPaymentInput, options: PosCallOptions = {}): Promise<PosPaymentSnapshot> {
    const { payment } = await this.#http.json(
      {
        method: "POST",
        path: `${this.#store}/orders/${encodeURIComponent(input.posOrderId)}/payments`,
        headers: { ...this.#headers, "idempotency-key": paymentIdempotencyKey(input.paymentId) },
        body: {
          reference: `FOODHUB-payment-${input.paymentId}`,
          amountCents: input.amountCents,
          currency: input.currency,
          method: input.method,
        },
        signal: options.signal,
      },
      localPaymentResponseSchema,
    );
    return { posPaymentId: payment.id, posOrderId: payment.orderId, amountCents: payment.amountCents };
  }

  async recordRefund(input: PosRefundInput, options: PosCallOptions = {}): Promise<PosRefundSnapshot> {
    const { refund } = await this.#http.json(
      {
        method: "POST",
        path: `${this.#store}/payments/${encodeURIComponent(input.posPaymentId)}/refunds`,
        headers: { ...this.#headers, "idempotency-key": posRefundIdempotencyKey(input.paymentId) },
        body: {
          reference: `FOODHUB-refund-${input.paymentId}`,
          amountCents: input.amountCents,
          currency: input.currency,
        },
        signal: options.signal,
      },
      localRefundResponseSchema,
    );
    return { posRefundId: refund.id, amountCents: refund.amountCents };
  }

  async fetchCatalog(options: PosCallOptions = {}): Promise<PosCatalog> {
    const menu = await this.#http.json(
      { method: "GET", path: `${this.#store}/menu`, headers: this.#headers, signal: options.signal },
      localMenuResponseSchema,
    );
    return {
      categories: menu.categories.map((c) => ({ posExternalId: c.id, name: c.name, position: c.position })),
      items: menu.items.map((i) => ({
        posExternalId: i.id,
        categoryPosExternalId: i.categoryId,
        name: i.name,
        description: i.description,
        priceCents: i.priceCents,
        available: i.available,
      })),
    };
  }

  async fetchInventory(options: PosCallOptions = {}): Promise<PosInventoryLevel[]> {
    const { levels } = await this.#http.json(
      { method: "GET", path: `${this.#store}/inventory`, headers: this.#headers, signal: options.signal },
      localInventoryResponseSchema,
    );
    return levels.map((level) => ({ posItemId: level.itemId, quantity: level.quantity }));
  }

  async healthCheck(options: PosCallOptions = {}): Promise<PosHealth> {
    const started = performance.now();
    await this.#http.json(
      { method: "GET", path: "/v1/health", headers: this.#headers, signal: options.signal },
      localHealthResponseSchema,
    );
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  }
}
