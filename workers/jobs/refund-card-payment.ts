import { eq } from "drizzle-orm";
import { payments } from "../../db/schema";
import { MissingModelError, NonRetryableError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { refundCardPayment } from "../../src/services/orders/payment-refunds";
import { RefundCardPayment } from "../../src/sync/payment-job-contracts";
import { type SettleDeps, STILL_PENDING_RECHECK_SECONDS } from "./settle-card-payment";

/**
 * Refunds a cancelled order's captured card payment through the payment provider. A provider that
 * does not answer fails the attempt (the job retries with backoff); the refund is re-sent with the
 * payment's own idempotency key, so a retry after a lost answer or a crash before the row was
 * written gets the first refund back. A refund the provider reports PENDING is asked about again
 * later, without using a try.
 */
export function refundCardPaymentJob(deps: SettleDeps) {
  return implementJob(RefundCardPayment, async ({ paymentId }, ctx) => {
    const payment = await deps.db.query.payments.findFirst({
      columns: {
        id: true,
        orderId: true,
        restaurantId: true,
        amountCents: true,
        providerPaymentId: true,
        providerRefundId: true,
        refundState: true,
      },
      where: eq(payments.id, paymentId),
      with: { order: { columns: { currency: true } } },
    });
    if (!payment?.order) throw new MissingModelError(`payment ${paymentId} no longer exists`);
    // Finished already (by an earlier copy of this job), or never owed through the provider.
    if (payment.refundState !== "requested" && payment.refundState !== "pending") return;
    if (!payment.providerPaymentId) throw new NonRetryableError(`payment ${paymentId} has no provider payment id`);
    if (!deps.provider) throw new NonRetryableError("no payment provider is configured");
    const outcome = await refundCardPayment(
      { db: deps.db, provider: deps.provider, dispatcher: deps.dispatcher, logger: deps.logger },
      { ...payment, providerPaymentId: payment.providerPaymentId, currency: payment.order.currency },
      { signal: ctx.signal },
    );
    if (outcome === "pending") ctx.release(STILL_PENDING_RECHECK_SECONDS);
  });
}
