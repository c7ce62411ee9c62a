import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { restaurants } from "../../../db/schema";
import { cacheEntries } from "../../cache/cache-keys";
import type { CachedJson, CachingService } from "../../cache/caching-service";
import { notFound } from "../../kernel/app-error";
import { type AnalyticsWindow, analyticsWindow, type DateRange } from "./analytics-window";
import { customerAnalytics } from "./customer-analytics";
import { deliveryAnalytics } from "./delivery-analytics";
import { menuAnalytics } from "./menu-analytics";
import { orderAnalytics } from "./order-analytics";

export const analyticsMetrics = ["orders", "customers", "menu", "delivery"] as const;
export type AnalyticsMetric = (typeof analyticsMetrics)[number];

const compute: Record<AnalyticsMetric, (db: Database, restaurantId: number, w: AnalyticsWindow) => Promise<object>> = {
  orders: orderAnalytics,
  customers: customerAnalytics,
  menu: menuAnalytics,
  delivery: deliveryAnalytics,
};

/**
 * One metric of one restaurant over a range of its local days, cached for the
 * analytics TTL under `analytics:{metric}:{restaurant}:{from}_{to}`.
 */
export function getAnalytics(
  db: Database,
  cache: CachingService,
  metric: AnalyticsMetric,
  restaurantId: number,
  range: DateRange,
): Promise<CachedJson> {
  return cache.remember(cacheEntries.analytics(metric, restaurantId, `${range.from}_${range.to}`), async () => {
    const restaurant = await db.query.restaurants.findFirst({
      columns: { timezone: true },
      where: eq(restaurants.id, restaurantId),
    });
    if (!restaurant) throw notFound("restaurant");
    const window = analyticsWindow(range, restaurant.timezone);
    const data = await compute[metric](db, restaurantId, window);
    return { restaurantId, metric, from: range.from, to: range.to, timezone: restaurant.timezone, ...data };
  });
}
