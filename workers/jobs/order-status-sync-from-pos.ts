import { and, eq, ne } from "drizzle-orm";
import { orders } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { OrderStatusSyncFromPOS } from "../../src/sync/pos-job-contracts";
import { callPos, type PosJobDeps, requireConnection } from "./pos-job-deps";

/** Reads an order's status from the POS (after a webhook says it changed) and writes it back. */
export function orderStatusSyncFromPos(deps: PosJobDeps) {
  return implementJob(OrderStatusSyncFromPOS, async ({ orderId }, ctx) => {
    const order = await deps.db.query.orders.findFirst({
      columns: { id: true, restaurantId: true, status: true, posOrderId: true },
      where: eq(orders.id, orderId),
    });
    if (!order) throw new MissingModelError(`order ${orderId} no longer exists`);
    if (!order.posOrderId) {
      // The order has not reached the POS yet; its status cannot have changed there.
      ctx.release(60);
      return;
    }
    const connection = await requireConnection(deps.db, order.restaurantId);
    const posOrderId = order.posOrderId;
    const result = await callPos(deps, ctx, connection, (adapter) =>
      adapter.fetchOrderStatus(posOrderId, { signal: ctx.signal }),
    );
    if (result.released || result.value.status === order.status) return;
    // A cancellation is ours to make: the POS catches up through OrderCancelToPOS, never the reverse.
    await deps.db
      .update(orders)
      .set({ status: result.value.status, updatedAt: new Date() })
      .where(and(eq(orders.id, orderId), ne(orders.status, "cancelled")));
    ctx.log.info("order status updated from POS", { orderId, from: order.status, to: result.value.status });
  });
}
