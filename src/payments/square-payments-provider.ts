import type { z } from "zod";
import {
  type ChargeInput,
  chargeIdempotencyKey,
  chargeReference,
  PaymentDeclinedError,
  type PaymentProvider,
  PaymentProviderRejectedError,
  PaymentProviderUnavailableError,
  type ProviderCallOptions,
  type ProviderPayment,
  type ProviderPaymentStatus,
  type ProviderRefund,
  type ProviderRefundStatus,
  type RefundInput,
  refundIdempotencyKey,
} from "./payment-provider";
import {
  squareCardPaymentResponseSchema,
  squarePaymentErrorBodySchema,
  type squarePaymentStatusSchema,
  squareRefundResponseSchema,
  type squareRefundStatusSchema,
} from "./square-payments-schemas";

export type SquarePaymentsOptions = {
  /** e.g. https://connect.squareup.com, or the simulator's /square. */
  baseUrl: string;
  accessToken: string;
  locationId: string;
  timeoutMs: number;
  squareVersion?: string;
  fetch?: typeof fetch;
};

/** The Square API version the provider was written against. */
export const SQUARE_PAYMENTS_API_VERSION = "2025-10-16";

/** Square's error codes that are about the payment source, not our request (a decline). */
const SOURCE_ERROR_CODES = new Set(["CARD_TOKEN_USED", "CARD_TOKEN_EXPIRED", "INVALID_CARD_DATA"]);

const STATUS: Record<z.infer<typeof squarePaymentStatusSchema>, ProviderPaymentStatus> = {
  COMPLETED: "completed",
  APPROVED: "pending",
  PENDING: "pending",
  CANCELED: "failed",
  FAILED: "failed",
};

const REFUND_STATUS: Record<z.infer<typeof squareRefundStatusSchema>, ProviderRefundStatus> = {
  COMPLETED: "completed",
  PENDING: "pending",
  REJECTED: "failed",
  FAILED: "failed",
};

/**
 * Square Payments: CreatePayment with the customer's Web Payments SDK token (`source_id`),
 * `autocomplete: true` so an approved card is captured at once, and an idempotency key derived
 * from our payment row; GetPayment to learn where a charge stands. RefundPayment (a key derived
 * from the payment row too) and GetPaymentRefund for the refund of a cancelled order's payment.
 */
export class SquarePaymentsProvider implements PaymentProvider {
  readonly name = "square";
  readonly #options: SquarePaymentsOptions;
  readonly #fetch: typeof fetch;

  constructor(options: SquarePaymentsOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    // Bound: Workers refuse a fetch called as another object's method ("Illegal invocation").
    this.#fetch = options.fetch ?? fetch.bind(globalThis);
  }

  async charge(input: ChargeInput, options: ProviderCallOptions = {}): Promise<ProviderPayment> {
    const body = {
      idempotency_key: chargeIdempotencyKey(input.paymentId),
      source_id: input.sourceId,
      amount_money: { amount: input.amountCents, currency: input.currency },
      autocomplete: true,
      location_id: this.#options.locationId,
      reference_id: chargeReference(input.paymentId),
      note: `FoodHub order ${input.orderId}`,
    };
    return this.#call("POST", "/v2/payments", body, options);
  }

  getPayment(providerPaymentId: string, options: ProviderCallOptions = {}): Promise<ProviderPayment> {
    return this.#call("GET", `/v2/payments/${encodeURIComponent(providerPaymentId)}`, undefined, options);
  }

  async refund(input: RefundInput, options: ProviderCallOptions = {}): Promise<ProviderRefund> {
    const body = {
      idempotency_key: refundIdempotencyKey(input.paymentId),
      payment_id: input.providerPaymentId,
      amount_money: { amount: input.amountCents, currency: input.currency },
      reason: `FoodHub order ${input.orderId} cancelled`,
    };
    return this.#refundCall("POST", "/v2/refunds", body, options);
  }

  getRefund(providerRefundId: string, options: ProviderCallOptions = {}): Promise<ProviderRefund> {
    return this.#refundCall("GET", `/v2/refunds/${encodeURIComponent(providerRefundId)}`, undefined, options);
  }

  async #call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: ProviderCallOptions,
  ): Promise<ProviderPayment> {
    const payload = await this.#exchange(method, path, body, options, "payment");
    const parsed = squareCardPaymentResponseSchema.safeParse(payload);
    if (!parsed.success) {
      throw new PaymentProviderUnavailableError(`square payments: unreadable answer to ${method} ${path}`);
    }
    const { payment } = parsed.data;
    return {
      providerPaymentId: payment.id,
      status: STATUS[payment.status],
      providerStatus: payment.status,
      amountCents: payment.amount_money.amount,
    };
  }

  async #refundCall(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: ProviderCallOptions,
  ): Promise<ProviderRefund> {
    const payload = await this.#exchange(method, path, body, options, "refund");
    const parsed = squareRefundResponseSchema.safeParse(payload);
    if (!parsed.success) {
      throw new PaymentProviderUnavailableError(`square payments: unreadable answer to ${method} ${path}`);
    }
    const { refund } = parsed.data;
    return {
      providerRefundId: refund.id,
      status: REFUND_STATUS[refund.status],
      providerStatus: refund.status,
      amountCents: refund.amount_money.amount,
    };
  }

  /** One HTTP exchange: the answer's body when it is a 2xx, otherwise the error it means. */
  async #exchange(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: ProviderCallOptions,
    kind: "payment" | "refund",
  ): Promise<unknown> {
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    let response: Response;
    let payload: unknown;
    try {
      response = await this.#fetch(`${this.#options.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          authorization: `Bearer ${this.#options.accessToken}`,
          "square-version": this.#options.squareVersion ?? SQUARE_PAYMENTS_API_VERSION,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      payload = await response.json().catch(() => undefined);
    } catch (error) {
      // The caller gave up: pass its reason on. Otherwise the call may or may not have happened.
      if (options.signal?.aborted) throw options.signal.reason;
      const why = deadline.aborted ? `timed out after ${this.#options.timeoutMs} ms` : (error as Error).message;
      throw new PaymentProviderUnavailableError(`square payments: ${method} ${path} ${why}`, { cause: error });
    }
    if (response.ok) return payload;
    throw this.#error(response.status, payload, `${method} ${path}`, kind);
  }

  #error(status: number, payload: unknown, what: string, kind: "payment" | "refund"): Error {
    const parsed = squarePaymentErrorBodySchema.safeParse(payload);
    const first = parsed.success ? parsed.data.errors[0] : undefined;
    const message = `square payments: ${what} → ${status}${first ? ` ${first.category}/${first.code}${first.detail ? `: ${first.detail}` : ""}` : ""}`;
    if (status === 429 || status === 408 || status >= 500) return new PaymentProviderUnavailableError(message);
    // A refund has no payment source to decline: a refused refund is the provider refusing our request.
    if (
      kind === "payment" &&
      first &&
      (first.category === "PAYMENT_METHOD_ERROR" || SOURCE_ERROR_CODES.has(first.code))
    ) {
      return new PaymentDeclinedError(first.code, message, parsed.data?.payment?.id);
    }
    return new PaymentProviderRejectedError(first?.code, message);
  }
}
