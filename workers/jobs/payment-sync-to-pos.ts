import { eq } from "drizzle-orm";
import { payments } from "../../db/schema";
import { MissingModelError, NonRetryableError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { PaymentSyncToPOS } from "../../src/sync/pos-job-contracts";
import { isFinalFailure, markSyncFailed } from "./mark-sync-failed";
import { activeConnection, callPos, type PosJobDeps } from "./pos-job-deps";

/** Seconds to wait for the payment's order to reach the POS first; not counted as a try. */
export const WAIT_FOR_ORDER_SECONDS = 15;

/**
 * Records a captured payment on the POS against the POS order. A payment whose order
 * has not reached the POS yet is released and tried later without using a try. A payment of a
 * cancelled order is not sent (it is being refunded): the POS's cancelled order never shows money
 * that is going back. One that reached the POS before the cancellation is refunded there by
 * RefundSyncToPOS.
 */
export function paymentSyncToPos(deps: PosJobDeps) {
  return implementJob(PaymentSyncToPOS, async ({ paymentId }, ctx) => {
    const payment = await deps.db.query.payments.findFirst({
      where: eq(payments.id, paymentId),
      with: {
        order: {
          columns: { id: true, restaurantId: true, status: true, currency: true, posOrderId: true, posSyncState: true },
        },
      },
    });
    if (!payment?.order) throw new MissingModelError(`payment ${paymentId} no longer exists`);
    if (payment.posSyncState === "synced") return;
    // Only money the provider (or staff) confirmed reaches the POS. A pending charge is dispatched
    // again once it is captured; a failed one never will be.
    if (payment.status !== "captured") {
      if (payment.status === "failed" || payment.status === "refunded") {
        await deps.db.update(payments).set({ posSyncState: "skipped" }).where(eq(payments.id, paymentId));
      }
      return;
    }
    const connection = await activeConnection(deps.db, payment.restaurantId);
    const cancelled = payment.order.status === "cancelled" || payment.refundRequestedAt !== null;
    if (!connection || cancelled || payment.order.posSyncState === "skipped") {
      await deps.db.update(payments).set({ posSyncState: "skipped" }).where(eq(payments.id, paymentId));
      return;
    }
    const posOrderId = payment.order.posOrderId;
    if (!posOrderId && payment.order.posSyncState === "failed") {
      // Waiting would never end: the order itself failed to reach the POS. Retrying this
      // payment after the order's failed job has been retried syncs it.
      await markSyncFailed(deps.db, { paymentId });
      throw new NonRetryableError(`order ${payment.orderId} failed to reach the POS; retry it first`);
    }
    if (!posOrderId) {
      ctx.release(WAIT_FOR_ORDER_SECONDS);
      return;
    }
    const send = () =>
      callPos(deps, ctx, connection, (adapter) =>
        adapter.recordPayment(
          {
            paymentId: payment.id,
            orderId: payment.orderId,
            posOrderId,
            amountCents: payment.amountCents,
            method: payment.method,
            currency: payment.order!.currency,
          },
          { signal: ctx.signal },
        ),
      );
    let result: Awaited<ReturnType<typeof send>>;
    try {
      result = await send();
    } catch (error) {
      if (isFinalFailure(error, ctx, PaymentSyncToPOS.tries)) await markSyncFailed(deps.db, { paymentId });
      throw error;
    }
    if (result.released) return;
    await deps.db
      .update(payments)
      .set({ posSyncState: "synced", posPaymentId: result.value.posPaymentId, posSyncedAt: new Date() })
      .where(eq(payments.id, paymentId));
  });
}
