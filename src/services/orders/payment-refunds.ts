import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { payments } from "../../../db/schema";
import type { Logger } from "../../logger";
import {
  type PaymentProvider,
  PaymentProviderRejectedError,
  type ProviderCallOptions,
  type ProviderRefund,
} from "../../payments/payment-provider";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";

/** A captured card payment whose order was cancelled, as the refund needs it. */
export type RefundablePayment = {
  id: number;
  orderId: number;
  restaurantId: number;
  amountCents: number;
  currency: string;
  providerPaymentId: string;
  providerRefundId: string | null;
};

export type RefundDeps = {
  db: Database;
  provider: PaymentProvider;
  dispatcher: Pick<PosDispatcher, "refundCompleted">;
  logger?: Logger;
};

/** Where the refund stands after asking the provider. */
export type RefundOutcome = "completed" | "pending" | "failed";

/** Only a refund still open may move: a finished one (by an earlier copy of the job) stays as it is. */
const open = (paymentId: number) =>
  and(eq(payments.id, paymentId), inArray(payments.refundState, ["requested", "pending"]));

/**
 * Asks the provider to refund the payment — RefundPayment the first time (or again, with the same
 * idempotency key and body, when its answer was lost), GetPaymentRefund once the provider's refund
 * id is known — and records what it says. The payment becomes `refunded` only on COMPLETED; PENDING
 * keeps the refund id to ask again; REJECTED, FAILED or a refused request mark the refund `failed`
 * for an operator. Only the caller whose update completes the row dispatches RefundSyncToPOS.
 * Throws `PaymentProviderUnavailableError` when the provider gives no answer: the row stays open.
 */
export async function refundCardPayment(
  deps: RefundDeps,
  payment: RefundablePayment,
  options: ProviderCallOptions = {},
): Promise<RefundOutcome> {
  let answer: ProviderRefund;
  try {
    answer = payment.providerRefundId
      ? await deps.provider.getRefund(payment.providerRefundId, options)
      : await deps.provider.refund(
          {
            paymentId: payment.id,
            orderId: payment.orderId,
            providerPaymentId: payment.providerPaymentId,
            amountCents: payment.amountCents,
            currency: payment.currency,
          },
          options,
        );
  } catch (error) {
    if (!(error instanceof PaymentProviderRejectedError)) throw error;
    deps.logger?.error("payment provider refused a refund", { paymentId: payment.id, error: error.message });
    await fail(deps.db, payment.id, error.code ?? "PROVIDER_REJECTED");
    return "failed";
  }
  if (answer.status === "pending") {
    await deps.db
      .update(payments)
      .set({ refundState: "pending", providerRefundId: answer.providerRefundId })
      .where(open(payment.id));
    return "pending";
  }
  if (answer.status === "failed") {
    deps.logger?.error("payment provider did not refund", { paymentId: payment.id, status: answer.providerStatus });
    await fail(deps.db, payment.id, answer.providerStatus, answer.providerRefundId);
    return "failed";
  }
  const moved = await deps.db
    .update(payments)
    .set({
      status: "refunded",
      refundState: "completed",
      providerRefundId: answer.providerRefundId,
      refundedCents: answer.amountCents,
      refundedAt: new Date(),
      posRefundState: "pending",
      // A payment never handed to PaymentSyncToPOS never will be (only captured ones are): the POS
      // does not get money that went back.
      posSyncState: sql`case when ${payments.posSyncState} = 'pending' then 'skipped'::pos_sync_state else ${payments.posSyncState} end`,
    })
    .where(open(payment.id))
    .returning({ id: payments.id });
  if (moved.length > 0) await deps.dispatcher.refundCompleted({ id: payment.id, restaurantId: payment.restaurantId });
  return "completed";
}

async function fail(db: Database, paymentId: number, code: string, providerRefundId?: string): Promise<void> {
  await db
    .update(payments)
    .set({ refundState: "failed", refundFailureCode: code, ...(providerRefundId ? { providerRefundId } : {}) })
    .where(open(paymentId));
}
