import { and, eq, inArray, isNotNull, notInArray, sql } from "drizzle-orm";
import { menuCategories, menuItemBranchOverrides, menuItems, orderItems } from "../../db/schema";
import { implementJob } from "../../src/queue/job";
import { menuItemPosFingerprint } from "../../src/services/restaurants/menu-availability";
import { MenuSyncFromPOS } from "../../src/sync/pos-job-contracts";
import { callPos, type PosJobDeps, requireConnection } from "./pos-job-deps";

/**
 * Mirrors the POS catalog into our menu: upserts categories and items by their
 * POS ids, removes what the POS no longer lists (items that were ever ordered
 * are kept, marked unavailable, so order history stays intact), then drops the
 * restaurant's cached menu.
 */
export function menuSyncFromPos(deps: PosJobDeps) {
  return implementJob(MenuSyncFromPOS, async ({ restaurantId }, ctx) => {
    const connection = await requireConnection(deps.db, restaurantId);
    const result = await callPos(deps, ctx, connection, (adapter) => adapter.fetchCatalog({ signal: ctx.signal }));
    if (result.released) return;
    const catalog = result.value;
    const now = new Date();
    const summary = await deps.db.transaction(async (tx) => {
      const categoryRows = catalog.categories.length
        ? await tx
            .insert(menuCategories)
            .values(
              catalog.categories.map((c) => ({
                restaurantId,
                name: c.name,
                position: c.position,
                posExternalId: c.posExternalId,
              })),
            )
            .onConflictDoUpdate({
              target: [menuCategories.restaurantId, menuCategories.posExternalId],
              set: { name: sql.raw("excluded.name"), position: sql.raw("excluded.position"), updatedAt: now },
            })
            .returning({ id: menuCategories.id, posId: menuCategories.posExternalId })
        : [];
      const categoryByPosId = new Map(categoryRows.map((c) => [c.posId, c.id]));
      const items = catalog.items.flatMap((item) => {
        const categoryId = categoryByPosId.get(item.categoryPosExternalId);
        return categoryId === undefined ? [] : [{ item, categoryId }];
      });
      const row = ({ item, categoryId }: (typeof items)[number]) => ({
        restaurantId,
        categoryId,
        name: item.name,
        description: item.description,
        priceCents: item.priceCents,
        // A new item the POS says nothing about is on sale; an existing one keeps its state.
        available: item.available ?? true,
        posExternalId: item.posExternalId,
        updatedAt: now,
      });
      const updated = {
        categoryId: sql.raw("excluded.category_id"),
        name: sql.raw("excluded.name"),
        description: sql.raw("excluded.description"),
        priceCents: sql.raw("excluded.price_cents"),
        updatedAt: now,
      };
      const withAvailability = items.filter((i) => i.item.available !== null);
      const withoutAvailability = items.filter((i) => i.item.available === null);
      for (const [group, set] of [
        [withAvailability, { ...updated, available: sql.raw("excluded.available") }],
        [withoutAvailability, updated],
      ] as const) {
        for (let i = 0; i < group.length; i += 500) {
          await tx
            .insert(menuItems)
            .values(group.slice(i, i + 500).map(row))
            .onConflictDoUpdate({ target: [menuItems.restaurantId, menuItems.posExternalId], set });
        }
      }
      const keptIds = items.map((i) => i.item.posExternalId);
      const gone = and(
        eq(menuItems.restaurantId, restaurantId),
        isNotNull(menuItems.posExternalId),
        keptIds.length ? notInArray(menuItems.posExternalId, keptIds) : undefined,
      );
      const ordered = tx.select({ id: orderItems.menuItemId }).from(orderItems);
      const removed = await tx
        .delete(menuItems)
        .where(and(gone, notInArray(menuItems.id, ordered)))
        .returning({ id: menuItems.id });
      const retired = await tx
        .update(menuItems)
        .set({ available: false, updatedAt: now })
        .where(and(gone, inArray(menuItems.id, ordered)))
        .returning({ id: menuItems.id });
      // A branch's override (staff 86'd the item) outlives a pull that left the item as it was; one
      // whose item the POS changed since is dropped: the POS's newer word wins.
      const changedOnPos = tx
        .select({ id: menuItems.id })
        .from(menuItems)
        .where(
          and(
            eq(menuItems.restaurantId, restaurantId),
            sql`${menuItemPosFingerprint} <> ${menuItemBranchOverrides.posFingerprint}`,
            eq(menuItems.id, menuItemBranchOverrides.menuItemId),
          ),
        );
      const dropped = await tx
        .delete(menuItemBranchOverrides)
        .where(and(eq(menuItemBranchOverrides.restaurantId, restaurantId), sql`exists (${changedOnPos})`))
        .returning({ itemId: menuItemBranchOverrides.menuItemId });
      return {
        categories: categoryRows.length,
        items: items.length,
        removed: removed.length,
        retired: retired.length,
        overridesDropped: dropped.length,
      };
    });
    await deps.invalidateMenu(restaurantId);
    ctx.log.info("menu synced from POS", { restaurantId, ...summary });
  });
}
