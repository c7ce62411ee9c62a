import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type AnalyticsWindow, selectRows } from "./analytics-window";

const TOP = 10;

/**
 * New vs returning customers and the top customers by revenue, over orders
 * that were not cancelled. A customer is new when their first such order at
 * this restaurant falls in the range, returning when they had one before.
 */
export async function customerAnalytics(db: Database, restaurantId: number, w: AnalyticsWindow) {
  const inRange = sql`select o.customer_id, count(*)::int as orders, sum(o.total_cents)::bigint as revenue
    from orders o
    where o.restaurant_id = ${restaurantId} and o.status <> 'cancelled'
      and o.created_at >= ${w.start} and o.created_at < ${w.end}
    group by o.customer_id`;
  const [counts] = await selectRows<{ customers: number; newCustomers: number; returningCustomers: number }>(
    db,
    sql`with in_range as (${inRange}),
        firsts as (
          select o.customer_id, min(o.created_at) as first_at from orders o
          where o.restaurant_id = ${restaurantId} and o.status <> 'cancelled'
            and o.customer_id in (select customer_id from in_range)
          group by o.customer_id)
        select count(*)::int as "customers",
          count(*) filter (where first_at >= ${w.start})::int as "newCustomers",
          count(*) filter (where first_at < ${w.start})::int as "returningCustomers"
        from firsts`,
  );
  const top = await selectRows<{ customerId: number; name: string; orders: number; revenueCents: string }>(
    db,
    sql`with in_range as (${inRange})
        select c.id as "customerId", c.name as "name", r.orders as "orders", r.revenue as "revenueCents"
        from in_range r join customers c on c.id = r.customer_id
        order by r.revenue desc, c.id limit ${TOP}`,
  );
  return {
    customers: counts?.customers ?? 0,
    newCustomers: counts?.newCustomers ?? 0,
    returningCustomers: counts?.returningCustomers ?? 0,
    topCustomers: top.map((c) => ({ ...c, revenueCents: Number(c.revenueCents) })),
  };
}
