import { and, asc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { payments } from "../../../db/schema";
import type { Queue } from "../../queue/queue";
import { RefundCardPayment } from "../../sync/payment-job-contracts";
import { RefundSyncToPOS } from "../../sync/pos-job-contracts";

/** What the refund hand-overs need: the rows, the queue and the sync jobs' unique window. */
export type RefundDispatchDeps = { db: Database; queue: Queue; uniqueFor: number };

/** Hands completed refunds to RefundSyncToPOS and marks them `queued` (a `pending` row is the sweeper's). */
export async function dispatchRefundSyncs(
  deps: RefundDispatchDeps,
  rows: ReadonlyArray<{ id: number; restaurantId: number }>,
  timeoutMs?: number,
): Promise<void> {
  if (rows.length === 0) return;
  await deps.queue.dispatchMany(
    RefundSyncToPOS,
    rows.map((p) => ({ paymentId: p.id, restaurantId: p.restaurantId })),
    { uniqueFor: deps.uniqueFor, durable: true, ...(timeoutMs ? { timeoutMs } : {}) },
  );
  await deps.db
    .update(payments)
    .set({ posRefundState: "queued" })
    .where(
      and(
        inArray(
          payments.id,
          rows.map((p) => p.id),
        ),
        eq(payments.posRefundState, "pending"),
      ),
    );
}

/**
 * The sweeper's part for refunds: refunds still open at the provider that were requested before
 * `refundsRequestedBefore` (their dispatch or their job was lost; the unique lock refuses a second
 * job while one exists), and completed refunds never handed to the POS sync.
 */
export async function sweepRefunds(
  deps: RefundDispatchDeps,
  options: { refundsRequestedBefore: Date; refundedBefore: Date; limit: number },
): Promise<{ refunds: number; refundSyncs: number }> {
  const openRefunds = await deps.db
    .select({ paymentId: payments.id, restaurantId: payments.restaurantId })
    .from(payments)
    .where(
      and(
        inArray(payments.refundState, ["requested", "pending"]),
        lt(payments.refundRequestedAt, options.refundsRequestedBefore),
      ),
    )
    .orderBy(asc(payments.refundRequestedAt))
    .limit(options.limit);
  if (openRefunds.length > 0) {
    await deps.queue.dispatchMany(RefundCardPayment, openRefunds, { uniqueFor: deps.uniqueFor, durable: true });
  }
  const unsynced = await deps.db
    .select({ id: payments.id, restaurantId: payments.restaurantId })
    .from(payments)
    .where(and(eq(payments.posRefundState, "pending"), lt(payments.refundedAt, options.refundedBefore)))
    .orderBy(asc(payments.refundedAt))
    .limit(options.limit);
  await dispatchRefundSyncs(deps, unsynced);
  return { refunds: openRefunds.length, refundSyncs: unsynced.length };
}
