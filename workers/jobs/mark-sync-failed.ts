import { and, eq, ne } from "drizzle-orm";
import type { Database } from "../../db/client";
import { orders, payments } from "../../db/schema";
import { NonRetryableError } from "../../src/queue/errors";
import type { JobContext } from "../../src/queue/job";

/** True when this throw ends the job: it was the last try, or the error allows none. */
export function isFinalFailure(error: unknown, ctx: JobContext, tries: number): boolean {
  return error instanceof NonRetryableError || ctx.attempt >= tries;
}

/**
 * Records on the row that its sync failed for good, so the sweeper leaves it
 * alone; retrying the failed job from monitoring syncs it and sets it back.
 */
export async function markSyncFailed(db: Database, target: { orderId: number } | { paymentId: number }): Promise<void> {
  // A copy of the job that already synced the row (after a reclaim) wins over this failure.
  if ("orderId" in target) {
    await db
      .update(orders)
      .set({ posSyncState: "failed", updatedAt: new Date() })
      .where(and(eq(orders.id, target.orderId), ne(orders.posSyncState, "synced")));
  } else {
    await db
      .update(payments)
      .set({ posSyncState: "failed" })
      .where(and(eq(payments.id, target.paymentId), ne(payments.posSyncState, "synced")));
  }
}
