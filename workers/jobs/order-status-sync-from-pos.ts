import { eq } from "drizzle-orm";
import { z } from "zod";
import { orders } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { callPos, type PosJobDeps, requireConnection } from "./pos-job-deps";

export const orderStatusSyncPayload = z.object({
  orderId: z.number().int().positive(),
  restaurantId: z.number().int().positive(),
});

/** Reads an order's status from the POS (after a webhook says it changed) and writes it back. */
export function orderStatusSyncFromPos(deps: PosJobDeps) {
  return defineJob({
    name: "OrderStatusSyncFromPOS",
    queue: "high",
    tries: 5,
    backoff: [60, 180, 300, 600, 1200],
    timeout: 120,
    deleteWhenMissingModels: true,
    payload: orderStatusSyncPayload,
    partitionKey: (p) => String(p.restaurantId),
    uniqueKey: (p) => String(p.orderId),
    async handle({ orderId }, ctx) {
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
      await deps.db
        .update(orders)
        .set({ status: result.value.status, updatedAt: new Date() })
        .where(eq(orders.id, orderId));
      ctx.log.info("order status updated from POS", { orderId, from: order.status, to: result.value.status });
    },
  });
}
