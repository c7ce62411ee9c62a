import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { branches, restaurants } from "../../../db/schema";
import { type CacheEntry, cacheEntries } from "../../cache/cache-keys";
import type { CachedJson, CachingService } from "../../cache/caching-service";
import { notFound } from "../../kernel/app-error";
import type { RestaurantConfig } from "./restaurant-config";
import {
  getCategories,
  getLoyaltyRules,
  getMenu,
  getRestaurant,
  getRestaurantConfig,
  listRestaurants,
  updateRestaurantConfig,
} from "./restaurants";

/**
 * The client reads of a restaurant, through the cache, and the writes that
 * invalidate them. Each read returns the JSON as served plus its ETag.
 */
export function createRestaurantReads(db: Database, cache: CachingService) {
  const reads = {
    /** Active restaurants, a page at a time (not cached: the list is cheap and rarely read). */
    list: (page: number, pageSize: number) => listRestaurants(db, page, pageSize),
    info: (id: number): Promise<CachedJson> =>
      cache.remember(cacheEntries.restaurantInfo(id), () => getRestaurant(db, id)),
    menu: (id: number, branchId?: number): Promise<CachedJson> =>
      cache.remember(cacheEntries.menuItems(id, branchId), () => getMenu(db, id, branchId)),
    categories: (id: number): Promise<CachedJson> =>
      cache.remember(cacheEntries.categories(id), () => getCategories(db, id)),
    loyaltyRules: (id: number): Promise<CachedJson> =>
      cache.remember(cacheEntries.loyaltyRules(id), () => getLoyaltyRules(db, id)),
    config: (id: number): Promise<CachedJson> =>
      cache.remember(cacheEntries.restaurantConfig(id), () => getRestaurantConfig(db, id)),

    async updateConfig(id: number, config: RestaurantConfig) {
      const updated = await updateRestaurantConfig(db, id, config);
      await cache.invalidate("restaurant_config", id);
      return updated;
    },

    /**
     * Computes and stores every client read of one active restaurant (each
     * branch's menu included), or of every active restaurant. Config is left
     * out: it is read by staff, not clients, and cached on first use.
     */
    async warmUp(restaurantId?: number) {
      const filter = eq(restaurants.active, true);
      const targets = await db.query.restaurants.findMany({
        columns: { id: true },
        where: restaurantId === undefined ? filter : and(filter, eq(restaurants.id, restaurantId)),
        orderBy: asc(restaurants.id),
        with: { branches: { columns: { id: true }, where: eq(branches.active, true) } },
      });
      if (restaurantId !== undefined && targets.length === 0) throw notFound("restaurant");
      let entries = 0;
      for (const { id, branches: open } of targets) {
        const jobs: Array<[CacheEntry, () => Promise<unknown>]> = [
          [cacheEntries.restaurantInfo(id), () => getRestaurant(db, id)],
          [cacheEntries.menuItems(id), () => getMenu(db, id)],
          [cacheEntries.categories(id), () => getCategories(db, id)],
          [cacheEntries.loyaltyRules(id), () => getLoyaltyRules(db, id)],
          ...open.map((b): [CacheEntry, () => Promise<unknown>] => [
            cacheEntries.menuItems(id, b.id),
            () => getMenu(db, id, b.id),
          ]),
        ];
        for (const [entry, load] of jobs) await cache.refresh(entry, load);
        entries += jobs.length;
      }
      return { restaurants: targets.map((r) => r.id), entries };
    },
  };
  return reads;
}

export type RestaurantReads = ReturnType<typeof createRestaurantReads>;
