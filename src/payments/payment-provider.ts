/**
 * The payment provider seam: whoever actually moves a customer's money. A provider charges a
 * payment source (a one-time token from its client SDK) and answers with its own payment id and
 * status; our payment row follows that answer and nothing else.
 */

/** Where a charge stands at the provider, reduced to what our payment row can become. */
export type ProviderPaymentStatus = "completed" | "pending" | "failed";

export type ProviderPayment = {
  providerPaymentId: string;
  status: ProviderPaymentStatus;
  /** The provider's own status word (Square: APPROVED, PENDING, COMPLETED, CANCELED, FAILED). */
  providerStatus: string;
  amountCents: number;
};

export type ChargeInput = {
  /** Our payment row: the idempotency key and the reference are derived from it. */
  paymentId: number;
  orderId: number;
  sourceId: string;
  amountCents: number;
  currency: string;
};

/** Where a refund stands at the provider: only `completed` means the money went back. */
export type ProviderRefundStatus = "completed" | "pending" | "failed";

export type ProviderRefund = {
  providerRefundId: string;
  status: ProviderRefundStatus;
  /** The provider's own status word (Square: PENDING, COMPLETED, REJECTED, FAILED). */
  providerStatus: string;
  amountCents: number;
};

export type RefundInput = {
  /** Our payment row: the refund's idempotency key is derived from it. */
  paymentId: number;
  orderId: number;
  providerPaymentId: string;
  amountCents: number;
  currency: string;
};

export type ProviderCallOptions = { signal?: AbortSignal | undefined };

export interface PaymentProvider {
  readonly name: string;
  /**
   * Charges the source. The same `paymentId` always sends the same idempotency key and body, so a
   * repeat (after a lost answer) returns the first charge instead of making a second one.
   */
  charge(input: ChargeInput, options?: ProviderCallOptions): Promise<ProviderPayment>;
  getPayment(providerPaymentId: string, options?: ProviderCallOptions): Promise<ProviderPayment>;
  /**
   * Refunds (all of) a captured payment. The same `paymentId` always sends the same idempotency
   * key and body, so a repeat returns the first refund instead of refunding twice.
   */
  refund(input: RefundInput, options?: ProviderCallOptions): Promise<ProviderRefund>;
  getRefund(providerRefundId: string, options?: ProviderCallOptions): Promise<ProviderRefund>;
}

/**
 * The provider's idempotency key for our payment row: derived from its primary key only, never
 * from a clock or a try, so every attempt for the row is the same charge at the provider.
 */
export function chargeIdempotencyKey(paymentId: number): string {
  return `foodhub-charge-${paymentId}`;
}

/** The refund's idempotency key: one refund per payment row, whatever the attempt. */
export function refundIdempotencyKey(paymentId: number): string {
  return `foodhub-refund-${paymentId}`;
}

/** The reference a human finds the FoodHub payment by in the provider's dashboard. */
export function chargeReference(paymentId: number): string {
  return `FOODHUB-payment-${paymentId}`;
}

/** The provider refused the payment source (declined card, failed CVV, used token, …). */
export class PaymentDeclinedError extends Error {
  override name = "PaymentDeclinedError";
  constructor(
    /** The provider's code, e.g. `CARD_DECLINED`. */
    readonly code: string,
    message: string,
    readonly providerPaymentId?: string,
  ) {
    super(message);
  }
}

/** The provider did not answer in time, or answered that it is unwell: the charge's outcome is unknown. */
export class PaymentProviderUnavailableError extends Error {
  override name = "PaymentProviderUnavailableError";
}

/** The provider refused the request itself (our configuration or a bug), not the payment source. */
export class PaymentProviderRejectedError extends Error {
  override name = "PaymentProviderRejectedError";
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}
