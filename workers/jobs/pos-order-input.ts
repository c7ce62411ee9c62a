import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { menuCategories, menuItems, orders } from "../../db/schema";
import type { PosOrderInput } from "../../src/pos/types";
import { MissingModelError } from "../../src/queue/errors";

/**
 * The order as the POS receives it, built the same way by every job that creates it (the order
 * sync, and a cancellation that must learn what an interrupted sync left on the POS): the POS
 * compares the body of a repeated idempotency key, so both must send the same one.
 */
export async function loadPosOrderInput(db: Database, orderId: number): Promise<PosOrderInput> {
  const order = await db.query.orders.findFirst({
    where: eq(orders.id, orderId),
    with: {
      items: { columns: { menuItemId: true, name: true, quantity: true, unitPriceCents: true, totalCents: true } },
    },
  });
  if (!order) throw new MissingModelError(`order ${orderId} no longer exists`);
  const itemIds = order.items.map((i) => i.menuItemId);
  const refs = await db
    .select({ id: menuItems.id, posItemId: menuItems.posExternalId, posCategoryId: menuCategories.posExternalId })
    .from(menuItems)
    .innerJoin(menuCategories, eq(menuCategories.id, menuItems.categoryId))
    .where(and(eq(menuItems.restaurantId, order.restaurantId), inArray(menuItems.id, itemIds)));
  const refById = new Map(refs.map((r) => [r.id, r]));
  return {
    orderId: order.id,
    type: order.type,
    currency: order.currency,
    subtotalCents: order.subtotalCents,
    discountCents: order.discountCents,
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
  };
}
