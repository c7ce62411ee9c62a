import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { branches, menuItemBranchOverrides, menuItems } from "../../../db/schema";
import type { CachingService } from "../../cache/caching-service";
import { notFound } from "../../kernel/app-error";

/**
 * The POS's side of a menu item as one hash: what a menu pull writes. An override remembers it
 * when it is set; a pull that leaves it unchanged leaves the override alone, one that changes it
 * (the POS changed the item: price, name, its own availability) drops the override.
 */
export const menuItemPosFingerprint = sql<string>`md5(${menuItems.name} || '|' || ${menuItems.description} || '|' || ${menuItems.priceCents}::text || '|' || ${menuItems.available}::text)`;

export type BranchAvailability = { restaurantId: number; branchId: number; menuItemId: number; available: boolean };

/**
 * Staff setting a menu item's availability for one branch ("86 it"), over what the POS says.
 * Each write drops the restaurant's cached menus, so the branch's menu shows it at once.
 */
export function createMenuAvailability(db: Database, cache: CachingService) {
  async function requireItem(restaurantId: number, branchId: number, menuItemId: number) {
    const [row] = await db
      .select({ id: menuItems.id })
      .from(menuItems)
      .innerJoin(branches, and(eq(branches.id, branchId), eq(branches.restaurantId, restaurantId)))
      .where(
        and(
          eq(menuItems.id, menuItemId),
          eq(menuItems.restaurantId, restaurantId),
          or(isNull(menuItems.branchId), eq(menuItems.branchId, branchId)),
        ),
      );
    if (!row) throw notFound("menu item at this branch");
  }

  return {
    async set(
      restaurantId: number,
      branchId: number,
      menuItemId: number,
      available: boolean,
      userId: number,
    ): Promise<BranchAvailability> {
      await requireItem(restaurantId, branchId, menuItemId);
      await db.execute(sql`
        insert into ${menuItemBranchOverrides}
          (branch_id, menu_item_id, restaurant_id, available, pos_fingerprint, set_by)
        select ${branchId}, ${menuItems.id}, ${restaurantId}, ${available}, ${menuItemPosFingerprint}, ${userId}
        from ${menuItems} where ${menuItems.id} = ${menuItemId}
        on conflict (branch_id, menu_item_id) do update
          set available = excluded.available, pos_fingerprint = excluded.pos_fingerprint,
              set_by = excluded.set_by, created_at = now()`);
      await cache.invalidateMenu(restaurantId);
      return { restaurantId, branchId, menuItemId, available };
    },

    /** Drops the branch's override: the item is again what the POS says. */
    async clear(restaurantId: number, branchId: number, menuItemId: number): Promise<void> {
      await requireItem(restaurantId, branchId, menuItemId);
      await db
        .delete(menuItemBranchOverrides)
        .where(
          and(
            eq(menuItemBranchOverrides.branchId, branchId),
            eq(menuItemBranchOverrides.menuItemId, menuItemId),
            eq(menuItemBranchOverrides.restaurantId, restaurantId),
          ),
        );
      await cache.invalidateMenu(restaurantId);
    },
  };
}

export type MenuAvailability = ReturnType<typeof createMenuAvailability>;
