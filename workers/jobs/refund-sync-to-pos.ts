import { and, eq, ne } from "drizzle-orm";
import { payments } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { RefundSyncToPOS } from "../../src/sync/pos-job-contracts";
import { isFinalFailure } from "./mark-sync-failed";
import { WAIT_FOR_ORDER_SECONDS } from "./payment-sync-to-pos";
import { activeConnection, callPos, type PosJobDeps } from "./pos-job-deps";

/**
 * Records on the POS that a payment was refunded, once the provider completed the refund:
 * - the POS never had the payment (its PaymentSyncToPOS skipped or failed) → nothing to undo there;
 * - its PaymentSyncToPOS may still be running, or the order's cancellation has not reached the POS
 *   yet → released and tried later without using a try (Toast's refund is the cancellation's void);
 * - otherwise the adapter records the refund with a key derived from the payment row.
 */
export function refundSyncToPos(deps: PosJobDeps) {
  const settle = (paymentId: number, state: "synced" | "skipped" | "failed", posRefundId?: string) =>
    deps.db
      .update(payments)
      .set({ posRefundState: state, ...(posRefundId ? { posRefundId } : {}) })
      .where(and(eq(payments.id, paymentId), ne(payments.posRefundState, "synced")));

  return implementJob(RefundSyncToPOS, async ({ paymentId }, ctx) => {
    const payment = await deps.db.query.payments.findFirst({
      columns: {
        id: true,
        orderId: true,
        restaurantId: true,
        refundState: true,
        refundedCents: true,
        posSyncState: true,
        posPaymentId: true,
        posRefundState: true,
      },
      where: eq(payments.id, paymentId),
      with: { order: { columns: { posOrderId: true, posCancelState: true, currency: true } } },
    });
    if (!payment?.order) throw new MissingModelError(`payment ${paymentId} no longer exists`);
    if (payment.refundState !== "completed") return;
    if (payment.posRefundState === "synced" || payment.posRefundState === "skipped") return;
    const connection = await activeConnection(deps.db, payment.restaurantId);
    if (payment.posSyncState === "pending" || payment.posSyncState === "queued") {
      // Its PaymentSyncToPOS has not settled: it skips a cancelled order's payment, but one that was
      // already calling the POS may still land there, and then its refund must follow.
      ctx.release(WAIT_FOR_ORDER_SECONDS);
      return;
    }
    const { posOrderId, posCancelState } = payment.order;
    if (!connection || payment.posSyncState !== "synced" || !payment.posPaymentId || !posOrderId) {
      await settle(paymentId, "skipped");
      return;
    }
    if (posCancelState === "pending" || posCancelState === "queued") {
      ctx.release(WAIT_FOR_ORDER_SECONDS);
      return;
    }
    const posPaymentId = payment.posPaymentId;
    try {
      const result = await callPos(deps, ctx, connection, (adapter) =>
        adapter.recordRefund(
          {
            paymentId,
            orderId: payment.orderId,
            posOrderId,
            posPaymentId,
            amountCents: payment.refundedCents ?? 0,
            currency: payment.order!.currency,
          },
          { signal: ctx.signal },
        ),
      );
      if (result.released) return;
      await settle(paymentId, "synced", result.value.posRefundId);
    } catch (error) {
      if (isFinalFailure(error, ctx, RefundSyncToPOS.tries)) await settle(paymentId, "failed");
      throw error;
    }
  });
}
