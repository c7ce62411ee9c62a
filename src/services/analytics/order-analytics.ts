import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type AnalyticsWindow, selectRows } from "./analytics-window";

/**
 * Orders per local day, revenue, average order value and status breakdown.
 * Revenue and the average count every order that was not cancelled.
 */
export async function orderAnalytics(db: Database, restaurantId: number, w: AnalyticsWindow) {
  const scope = sql`o.restaurant_id = ${restaurantId} and o.created_at >= ${w.start} and o.created_at < ${w.end}`;
  const perDay = await selectRows<{ date: string; orders: number; revenueCents: string }>(
    db,
    sql`select to_char(o.created_at at time zone ${w.timezone}, 'YYYY-MM-DD') as "date",
          count(*)::int as "orders",
          coalesce(sum(o.total_cents) filter (where o.status <> 'cancelled'), 0)::bigint as "revenueCents"
        from orders o where ${scope} group by 1 order by 1`,
  );
  const [totals] = await selectRows<{
    orders: number;
    revenueOrders: number;
    revenueCents: string;
    aov: number | null;
  }>(
    db,
    sql`select count(*)::int as "orders",
          count(*) filter (where o.status <> 'cancelled')::int as "revenueOrders",
          coalesce(sum(o.total_cents) filter (where o.status <> 'cancelled'), 0)::bigint as "revenueCents",
          round(avg(o.total_cents) filter (where o.status <> 'cancelled'))::int as "aov"
        from orders o where ${scope}`,
  );
  const byStatus = await selectRows<{ status: string; orders: number }>(
    db,
    sql`select o.status::text as "status", count(*)::int as "orders"
        from orders o where ${scope} group by 1 order by 2 desc, 1`,
  );
  return {
    totalOrders: totals?.orders ?? 0,
    revenueOrders: totals?.revenueOrders ?? 0,
    revenueCents: Number(totals?.revenueCents ?? 0),
    averageOrderValueCents: totals?.aov ?? 0,
    perDay: perDay.map((d) => ({ date: d.date, orders: d.orders, revenueCents: Number(d.revenueCents) })),
    statusBreakdown: byStatus,
  };
}
