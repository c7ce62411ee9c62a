import { and, eq, isNotNull, ne, or, sql } from "drizzle-orm";
import { orders } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { OrderSyncToPOS } from "../../src/sync/pos-job-contracts";
import { isFinalFailure, markSyncFailed } from "./mark-sync-failed";
import { activeConnection, callPos, type PosJobDeps } from "./pos-job-deps";
import { loadPosOrderInput } from "./pos-order-input";

/**
 * Creates our order on the restaurant's POS and stores the POS order id. The
 * POS call carries `foodhub-order-<id>` as its idempotency key, so a retry
 * after a timeout or a crash gets the same POS order back, never a second one.
 *
 * Before its first POS call it claims the order (`pos_create_attempted_at`), which a cancelled
 * order refuses: an order cancelled before anything was sent never reaches the POS. One cancelled
 * after the claim is created all the same (the POS may have it already), and OrderCancelToPOS
 * cancels it there.
 */
export function orderSyncToPos(deps: PosJobDeps) {
  return implementJob(OrderSyncToPOS, async ({ orderId }, ctx) => {
    const order = await deps.db.query.orders.findFirst({
      columns: { id: true, restaurantId: true, posSyncState: true },
      where: eq(orders.id, orderId),
    });
    if (!order) throw new MissingModelError(`order ${orderId} no longer exists`);
    if (order.posSyncState === "synced") return;
    const connection = await activeConnection(deps.db, order.restaurantId);
    if (!connection) {
      await deps.db
        .update(orders)
        .set({ posSyncState: "skipped", updatedAt: new Date() })
        .where(eq(orders.id, orderId));
      return;
    }
    // One statement, so it is ordered against the cancellation's own UPDATE of the row.
    const [claimed] = await deps.db
      .update(orders)
      .set({ posCreateAttemptedAt: sql`coalesce(${orders.posCreateAttemptedAt}, now())` })
      .where(and(eq(orders.id, orderId), or(ne(orders.status, "cancelled"), isNotNull(orders.posCreateAttemptedAt))))
      .returning({ id: orders.id });
    if (!claimed) {
      await deps.db
        .update(orders)
        .set({ posSyncState: "skipped", updatedAt: new Date() })
        .where(and(eq(orders.id, orderId), ne(orders.posSyncState, "synced")));
      ctx.log.info("order cancelled before it reached the POS; not sent", { orderId });
      return;
    }
    const input = await loadPosOrderInput(deps.db, orderId);
    const send = () => callPos(deps, ctx, connection, (adapter) => adapter.createOrder(input, { signal: ctx.signal }));
    let result: Awaited<ReturnType<typeof send>>;
    try {
      result = await send();
    } catch (error) {
      if (isFinalFailure(error, ctx, OrderSyncToPOS.tries)) await markSyncFailed(deps.db, { orderId });
      throw error;
    }
    if (result.released) return;
    await deps.db
      .update(orders)
      .set({
        posSyncState: "synced",
        posOrderId: result.value.posOrderId,
        posSyncedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(orders.id, orderId));
  });
}
