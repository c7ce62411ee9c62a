/**
 * The cache's key families, their TTLs (seconds, from DESIGN.md) and the one
 * place cache keys are built. Keys are relative: the CachingService puts the
 * configured prefix in front. The `pos:connection:*` entry (TTL 300) is not
 * here: the POS circuit breaker writes it atomically with its own state
 * (src/pos/circuit-breaker.ts), so it is never computed cache-aside.
 */
export const cacheFamilies = [
  "menu_items",
  "categories",
  "restaurant_info",
  "restaurant_config",
  "loyalty_rules",
  "analytics",
] as const;

export type CacheFamily = (typeof cacheFamilies)[number];

export const cacheTtlSeconds: Record<CacheFamily, number> = {
  menu_items: 1800,
  categories: 3600,
  restaurant_info: 1800,
  restaurant_config: 3600,
  loyalty_rules: 7200,
  analytics: 600,
};

/** One cached value: its family (TTL, stats), the restaurant it belongs to (invalidation) and its key. */
export type CacheEntry = { family: CacheFamily; restaurantId: number; key: string };

export const cacheEntries = {
  /** The whole menu, or one branch's view of it (shared items plus that branch's own). */
  menuItems: (restaurantId: number, branchId?: number): CacheEntry => ({
    family: "menu_items",
    restaurantId,
    key: branchId === undefined ? `menu:${restaurantId}:items` : `menu:${restaurantId}:items:branch:${branchId}`,
  }),
  categories: (restaurantId: number): CacheEntry => ({
    family: "categories",
    restaurantId,
    key: `menu:${restaurantId}:categories`,
  }),
  restaurantInfo: (restaurantId: number): CacheEntry => ({
    family: "restaurant_info",
    restaurantId,
    key: `restaurant:${restaurantId}:info`,
  }),
  restaurantConfig: (restaurantId: number): CacheEntry => ({
    family: "restaurant_config",
    restaurantId,
    key: `restaurant:${restaurantId}:config`,
  }),
  loyaltyRules: (restaurantId: number): CacheEntry => ({
    family: "loyalty_rules",
    restaurantId,
    key: `loyalty:${restaurantId}:rules`,
  }),
  /** `dateRange` is `{from}_{to}` (ISO dates), so each range is cached on its own. */
  analytics: (metric: string, restaurantId: number, dateRange: string): CacheEntry => ({
    family: "analytics",
    restaurantId,
    key: `analytics:${metric}:${restaurantId}:${dateRange}`,
  }),
};

/** The bookkeeping keys next to the cached values, all under the same prefix. */
export function bookkeepingKeys(prefix: string) {
  return {
    value: (entry: CacheEntry) => `${prefix}:${entry.key}`,
    lock: (entry: CacheEntry) => `${prefix}:cache:lock:${entry.key}`,
    /** Hash: one generation per family plus `all`, bumped to invalidate everywhere. */
    globalGenerations: `${prefix}:cache:gen`,
    /** Hash: one restaurant's generation per family plus `all`. */
    restaurantGenerations: (restaurantId: number) => `${prefix}:cache:gen:${restaurantId}`,
    /** Sorted set of a family's stored keys scored by expiry time (ms), for key counts without KEYS/SCAN. */
    familyIndex: (family: CacheFamily) => `${prefix}:cache:index:${family}`,
    /** The same, for one restaurant's keys (an owner's statistics). */
    restaurantFamilyIndex: (family: CacheFamily, restaurantId: number) =>
      `${prefix}:cache:index:${family}:${restaurantId}`,
    /** Hash of `{family}:hits|misses|fallbacks` counters shared by every instance. */
    stats: `${prefix}:cache:stats`,
    /** The same counters for one restaurant. */
    restaurantStats: (restaurantId: number) => `${prefix}:cache:stats:${restaurantId}`,
  };
}

export type BookkeepingKeys = ReturnType<typeof bookkeepingKeys>;
