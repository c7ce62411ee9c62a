import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type AnalyticsWindow, selectRows } from "./analytics-window";

/**
 * Delivery times from the order being placed to it being delivered (minutes):
 * average, 90th percentile (continuous, as `percentile_cont`), and the share
 * delivered within the promised estimate. Undelivered (cancelled) deliveries
 * count only in `deliveries`.
 */
export async function deliveryAnalytics(db: Database, restaurantId: number, w: AnalyticsWindow) {
  const [row] = await selectRows<{
    deliveries: number;
    delivered: number;
    onTime: number;
    averageMinutes: number | null;
    p90Minutes: number | null;
  }>(
    db,
    sql`with timed as (
          select d.delivered_at, extract(epoch from d.delivered_at - o.created_at) / 60 as minutes,
            d.delivered_at <= o.created_at + d.estimated_minutes * interval '1 minute' as on_time
          from deliveries d join orders o on o.id = d.order_id
          where o.restaurant_id = ${restaurantId} and o.created_at >= ${w.start} and o.created_at < ${w.end})
        select count(*)::int as "deliveries", count(delivered_at)::int as "delivered",
          count(*) filter (where on_time)::int as "onTime",
          avg(minutes)::float8 as "averageMinutes",
          (percentile_cont(0.9) within group (order by minutes))::float8 as "p90Minutes"
        from timed`,
  );
  const delivered = row?.delivered ?? 0;
  const round2 = (n: number | null | undefined) => (n == null ? null : Math.round(n * 100) / 100);
  return {
    deliveries: row?.deliveries ?? 0,
    delivered,
    averageMinutes: round2(row?.averageMinutes),
    p90Minutes: round2(row?.p90Minutes),
    onTimeDeliveries: row?.onTime ?? 0,
    onTimeShare: delivered === 0 ? null : Math.round(((row?.onTime ?? 0) / delivered) * 10_000) / 10_000,
  };
}
