import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { payments } from "../../db/schema";
import type { Logger } from "../../src/logger";
import type { PaymentProvider } from "../../src/payments/payment-provider";
import { MissingModelError, NonRetryableError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { settleCardPayment } from "../../src/services/orders/payment-settlement";
import type { PosDispatcher } from "../../src/services/pos-sync/pos-dispatch";
import { SettleCardPayment } from "../../src/sync/payment-job-contracts";

/** Seconds before asking again about a charge the provider reports as still in progress; not a try. */
export const STILL_PENDING_RECHECK_SECONDS = 30;

export type SettleDeps = {
  db: Database;
  /** Null when no provider is configured: a pending card payment cannot be settled. */
  provider: PaymentProvider | null;
  dispatcher: Pick<PosDispatcher, "paymentRecorded" | "refundsRequested" | "refundCompleted">;
  logger?: Logger;
};

/**
 * Settles a card payment the API left `pending` because the provider gave no answer. A provider
 * that is still unreachable fails the attempt (the job retries with backoff); the charge is re-sent
 * with the payment's own idempotency key, so the provider never charges twice.
 */
export function settleCardPaymentJob(deps: SettleDeps) {
  return implementJob(SettleCardPayment, async ({ paymentId }, ctx) => {
    const payment = await deps.db.query.payments.findFirst({
      columns: {
        id: true,
        orderId: true,
        restaurantId: true,
        status: true,
        method: true,
        amountCents: true,
        providerSourceId: true,
        providerPaymentId: true,
      },
      where: eq(payments.id, paymentId),
      with: { order: { columns: { currency: true } } },
    });
    if (!payment?.order) throw new MissingModelError(`payment ${paymentId} no longer exists`);
    // Settled already (by the request, or an earlier copy of this job): nothing to ask.
    if (payment.status !== "pending" || payment.method !== "card") return;
    if (!deps.provider) throw new NonRetryableError("no payment provider is configured");
    const settlement = await settleCardPayment(
      { db: deps.db, provider: deps.provider, dispatcher: deps.dispatcher, logger: deps.logger },
      { ...payment, currency: payment.order.currency },
      { signal: ctx.signal },
    );
    if (settlement === "pending") ctx.release(STILL_PENDING_RECHECK_SECONDS);
  });
}
