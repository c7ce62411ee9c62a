/**
 * Idempotency keys derived from our primary keys only, never from a retry
 * counter or a clock: every attempt of every job for the same order (or
 * payment) sends the same key, so the POS returns the object it already made.
 */
export function orderIdempotencyKey(orderId: number): string {
  return `foodhub-order-${orderId}`;
}

/** A cancellation's key; `version` (Square) gives each update of a new order version a key of its own. */
export function cancelIdempotencyKey(orderId: number, version?: number): string {
  return version === undefined ? `foodhub-cancel-${orderId}` : `foodhub-cancel-${orderId}-v${version}`;
}

export function paymentIdempotencyKey(paymentId: number): string {
  return `foodhub-payment-${paymentId}`;
}

/** The POS refund of a payment: one per payment row. */
export function posRefundIdempotencyKey(paymentId: number): string {
  return `foodhub-pos-refund-${paymentId}`;
}

/** Our reference on the POS object, so a human at the POS can find the FoodHub order. */
export function orderReference(orderId: number): string {
  return `FOODHUB-${orderId}`;
}
