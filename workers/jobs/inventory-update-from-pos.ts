import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { branches, inventoryAlerts, inventoryLevels, menuItems } from "../../db/schema";
import { implementJob } from "../../src/queue/job";
import { InventoryUpdateFromPOS } from "../../src/sync/pos-job-contracts";
import { callPos, type PosJobDeps, requireConnection } from "./pos-job-deps";

/**
 * Pulls stock levels from the POS into the restaurant's main branch (the POS
 * location maps to the lowest-id branch) and records a low-stock alert when a
 * level crosses below its threshold.
 */
export function inventoryUpdateFromPos(deps: PosJobDeps) {
  return implementJob(InventoryUpdateFromPOS, async ({ restaurantId }, ctx) => {
    const connection = await requireConnection(deps.db, restaurantId);
    const result = await callPos(deps, ctx, connection, (adapter) => adapter.fetchInventory({ signal: ctx.signal }));
    if (result.released) return;
    const [branch] = await deps.db
      .select({ id: branches.id })
      .from(branches)
      .where(eq(branches.restaurantId, restaurantId))
      .orderBy(asc(branches.id))
      .limit(1);
    if (!branch || result.value.length === 0) return;
    const items = await deps.db
      .select({ id: menuItems.id, posId: menuItems.posExternalId })
      .from(menuItems)
      .where(
        and(
          eq(menuItems.restaurantId, restaurantId),
          isNotNull(menuItems.posExternalId),
          inArray(
            menuItems.posExternalId,
            result.value.map((l) => l.posItemId),
          ),
        ),
      );
    const itemByPosId = new Map(items.map((i) => [i.posId, i.id]));
    const current = await deps.db
      .select({
        itemId: inventoryLevels.menuItemId,
        quantity: inventoryLevels.quantity,
        threshold: inventoryLevels.lowStockThreshold,
      })
      .from(inventoryLevels)
      .where(eq(inventoryLevels.branchId, branch.id));
    const before = new Map(current.map((c) => [c.itemId, c]));
    const now = new Date();
    const levels = result.value.flatMap((level) => {
      const menuItemId = itemByPosId.get(level.posItemId);
      return menuItemId === undefined
        ? []
        : [{ branchId: branch.id, menuItemId, quantity: level.quantity, updatedAt: now }];
    });
    const alerts = levels.flatMap((level) => {
      const previous = before.get(level.menuItemId);
      const threshold = previous?.threshold ?? 5;
      const crossed = level.quantity < threshold && (previous === undefined || previous.quantity >= threshold);
      return crossed
        ? [{ restaurantId, branchId: branch.id, menuItemId: level.menuItemId, quantity: level.quantity, threshold }]
        : [];
    });
    await deps.db.transaction(async (tx) => {
      for (let i = 0; i < levels.length; i += 1000) {
        await tx
          .insert(inventoryLevels)
          .values(levels.slice(i, i + 1000))
          .onConflictDoUpdate({
            target: [inventoryLevels.branchId, inventoryLevels.menuItemId],
            set: { quantity: sql.raw("excluded.quantity"), updatedAt: now },
          });
      }
      if (alerts.length > 0) await tx.insert(inventoryAlerts).values(alerts);
    });
    if (alerts.length > 0) ctx.log.warn("low stock", { restaurantId, items: alerts.map((a) => a.menuItemId) });
  });
}
