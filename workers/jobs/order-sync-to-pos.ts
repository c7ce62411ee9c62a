import { and, eq, inArray } from "drizzle-orm";
import { menuCategories, menuItems, orders } from "../../db/schema";
import { MissingModelError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { OrderSyncToPOS } from "../../src/sync/pos-job-contracts";
import { isFinalFailure, markSyncFailed } from "./mark-sync-failed";
import { activeConnection, callPos, type PosJobDeps } from "./pos-job-deps";

/**
 * Creates our order on the restaurant's POS and stores the POS order id. The
 * POS call carries `foodhub-order-<id>` as its idempotency key, so a retry
 * after a timeout or a crash gets the same POS order back, never a second one.
 */
export function orderSyncToPos(deps: PosJobDeps) {
  return implementJob(OrderSyncToPOS, async ({ orderId }, ctx) => {
    const order = await deps.db.query.orders.findFirst({
      where: eq(orders.id, orderId),
      with: {
        items: { columns: { menuItemId: true, name: true, quantity: true, unitPriceCents: true, totalCents: true } },
      },
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
    const itemIds = order.items.map((i) => i.menuItemId);
    const refs = await deps.db
      .select({ id: menuItems.id, posItemId: menuItems.posExternalId, posCategoryId: menuCategories.posExternalId })
      .from(menuItems)
      .innerJoin(menuCategories, eq(menuCategories.id, menuItems.categoryId))
      .where(and(eq(menuItems.restaurantId, order.restaurantId), inArray(menuItems.id, itemIds)));
    const refById = new Map(refs.map((r) => [r.id, r]));
    const send = () =>
      callPos(deps, ctx, connection, (adapter) =>
        adapter.createOrder(
          {
            orderId: order.id,
            type: order.type,
            currency: order.currency,
            subtotalCents: order.subtotalCents,
            taxCents: order.taxCents,
            deliveryFeeCents: order.deliveryFeeCents,
            totalCents: order.totalCents,
            notes: order.notes,
            lines: order.items.map((item) => ({
              name: item.name,
              quantity: item.quantity,
              unitPriceCents: item.unitPriceCents,
              totalCents: item.totalCents,
              posItemId: refById.get(item.menuItemId)?.posItemId ?? null,
              posCategoryId: refById.get(item.menuItemId)?.posCategoryId ?? null,
            })),
          },
          { signal: ctx.signal },
        ),
      );
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
