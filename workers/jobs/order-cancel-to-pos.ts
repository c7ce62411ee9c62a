import { and, eq, isNull, ne, or } from "drizzle-orm";
import { orders } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { OrderCancelToPOS } from "../../src/sync/pos-job-contracts";
import { isFinalFailure } from "./mark-sync-failed";
import { activeConnection, callPos, type PosJobDeps } from "./pos-job-deps";
import { loadPosOrderInput } from "./pos-order-input";

type CancelState = "synced" | "skipped" | "failed";

/**
 * Cancels a cancelled order on its POS. Whatever the order sync has done so far:
 * - it has the POS order id → cancel it there;
 * - it never claimed the order (`pos_create_attempted_at` null) → nothing reached the POS, and
 *   the claim refuses a cancelled order, so nothing ever will: done;
 * - it claimed it but no id is known (in flight, crashed, or failed after the POS committed) →
 *   repeat the create with the same idempotency key and body, which hands back the POS order if
 *   there is one (or makes it), then cancel that. A create arriving later replays the same,
 *   cancelled, POS order: no order stays open on the POS after its cancellation.
 */
export function orderCancelToPos(deps: PosJobDeps) {
  const settle = (orderId: number, state: CancelState) =>
    deps.db
      .update(orders)
      .set({ posCancelState: state, updatedAt: new Date() })
      .where(and(eq(orders.id, orderId), or(isNull(orders.posCancelState), ne(orders.posCancelState, "synced"))));

  return implementJob(OrderCancelToPOS, async ({ orderId }, ctx) => {
    const order = await deps.db.query.orders.findFirst({
      columns: {
        id: true,
        restaurantId: true,
        status: true,
        posOrderId: true,
        posCreateAttemptedAt: true,
        posCancelState: true,
      },
      where: eq(orders.id, orderId),
    });
    if (!order) throw new MissingModelError(`order ${orderId} no longer exists`);
    if (order.status !== "cancelled" || order.posCancelState === "synced" || order.posCancelState === "skipped") return;
    const connection = await activeConnection(deps.db, order.restaurantId);
    if (!connection || (!order.posOrderId && !order.posCreateAttemptedAt)) {
      await settle(orderId, "skipped");
      return;
    }
    try {
      let posOrderId = order.posOrderId;
      if (!posOrderId) {
        const input = await loadPosOrderInput(deps.db, orderId);
        const found = await callPos(deps, ctx, connection, (adapter) =>
          adapter.createOrder(input, { signal: ctx.signal }),
        );
        if (found.released) return;
        posOrderId = found.value.posOrderId;
        await deps.db
          .update(orders)
          .set({ posOrderId, posSyncState: "synced", posSyncedAt: new Date(), updatedAt: new Date() })
          .where(and(eq(orders.id, orderId), isNull(orders.posOrderId)));
      }
      const target = posOrderId;
      const cancelled = await callPos(deps, ctx, connection, (adapter) =>
        adapter.cancelOrder({ orderId, posOrderId: target }, { signal: ctx.signal }),
      );
      if (cancelled.released) return;
      await settle(orderId, "synced");
      ctx.log.info("order cancelled on the POS", { orderId, posOrderId: target, posStatus: cancelled.value.status });
    } catch (error) {
      if (isFinalFailure(error, ctx, OrderCancelToPOS.tries)) await settle(orderId, "failed");
      throw error;
    }
  });
}
