import type { branches, inventoryLevels, menuCategories, menuItems, restaurants } from "../schema";
import type { SeededRandom } from "./random";
import { type RestaurantPlan, restaurantConfig } from "./restaurant-plans";

const DAY_MS = 86_400_000;

/** What the order generator needs to know about one restaurant's menu. */
export type SellableItem = { id: number; name: string; priceCents: number; branchId: number | null };

export type MenuWorld = {
  restaurants: (typeof restaurants.$inferInsert)[];
  branches: (typeof branches.$inferInsert)[];
  categories: (typeof menuCategories.$inferInsert)[];
  items: (typeof menuItems.$inferInsert)[];
  inventory: (typeof inventoryLevels.$inferInsert)[];
  /** Restaurant id → its branch ids, in order. */
  branchIds: Map<number, number[]>;
  /** Restaurant id → the items that can be ordered (available ones). */
  sellable: Map<number, SellableItem[]>;
};

const largePrice = (priceCents: number) => Math.round((priceCents * 1.35) / 25) * 25 - 1;

/** An id in the style of the restaurant's POS, so the catalogue looks imported from it. */
function posExternalId(restaurantId: number, kind: "cat" | "item", n: number, rng: SeededRandom): string {
  switch (restaurantId) {
    case 1:
      return `sq_${kind}_${rng.hex(12).toUpperCase()}`;
    case 2:
      return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
    default:
      return `LOC-${kind.toUpperCase()}-${String(n).padStart(4, "0")}`;
  }
}

/**
 * Restaurants, branches, categories, menu items and stock. Ids are assigned here, in order, so
 * they are the same on every run. Per restaurant, a few items are unavailable and the last two
 * dishes of the first category are sold only at its second branch.
 */
export function buildMenuWorld(plans: readonly RestaurantPlan[], now: Date, rng: SeededRandom): MenuWorld {
  const openedAt = new Date(now.getTime() - 400 * DAY_MS);
  const world: MenuWorld = {
    restaurants: [],
    branches: [],
    categories: [],
    items: [],
    inventory: [],
    branchIds: new Map(),
    sellable: new Map(),
  };
  for (const plan of plans) {
    world.restaurants.push({
      id: plan.id,
      name: plan.name,
      slug: plan.slug,
      active: plan.active,
      timezone: plan.timezone,
      currency: "USD",
      config: restaurantConfig(plan),
      createdAt: openedAt,
      updatedAt: openedAt,
    });
    const branchIds: number[] = [];
    for (const [name, address] of plan.branches) {
      const id = world.branches.length + 1;
      branchIds.push(id);
      world.branches.push({ id, restaurantId: plan.id, name, address, active: true, createdAt: openedAt });
    }
    world.branchIds.set(plan.id, branchIds);
    const sellable: SellableItem[] = [];
    world.sellable.set(plan.id, sellable);
    plan.menu.forEach(([categoryName, dishes], position) => {
      const categoryId = world.categories.length + 1;
      world.categories.push({
        id: categoryId,
        restaurantId: plan.id,
        name: categoryName,
        position,
        posExternalId: posExternalId(plan.id, "cat", categoryId, rng),
        createdAt: openedAt,
        updatedAt: openedAt,
      });
      dishes.forEach(([dishName, priceCents], dishIndex) => {
        const branchSpecific = position === 0 && dishIndex >= dishes.length - 2 && branchIds.length > 1;
        const branchId = branchSpecific ? (branchIds[1] ?? null) : null;
        for (const [name, price] of [
          [dishName, priceCents],
          [`${dishName} (Large)`, largePrice(priceCents)],
        ] as const) {
          const id = world.items.length + 1;
          const available = !rng.chance(0.04);
          world.items.push({
            id,
            restaurantId: plan.id,
            categoryId,
            branchId,
            name,
            description: `${name} from our ${categoryName.toLowerCase()} menu.`,
            priceCents: price,
            available,
            posExternalId: posExternalId(plan.id, "item", id, rng),
            createdAt: openedAt,
            updatedAt: openedAt,
          });
          if (available) sellable.push({ id, name, priceCents: price, branchId });
          for (const stockedAt of branchId === null ? branchIds : [branchId]) {
            const lowStockThreshold = rng.int(5, 15);
            const low = rng.chance(0.08);
            world.inventory.push({
              branchId: stockedAt,
              menuItemId: id,
              quantity: low ? rng.int(0, lowStockThreshold - 1) : rng.int(lowStockThreshold + 5, 150),
              lowStockThreshold,
              updatedAt: new Date(now.getTime() - rng.int(5, 600) * 60_000),
            });
          }
        }
      });
    });
  }
  return world;
}
