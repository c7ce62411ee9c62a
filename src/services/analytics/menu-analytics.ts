import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type AnalyticsWindow, selectRows } from "./analytics-window";

const TOP = 10;

type ItemRow = { menuItemId: number; name: string; categoryId: number; quantity: number; revenueCents: string };
type CategoryRow = { categoryId: number; name: string; quantity: number; revenueCents: string };

/** Top items (by quantity and by revenue) and every category's sales, over orders not cancelled. */
export async function menuAnalytics(db: Database, restaurantId: number, w: AnalyticsWindow) {
  const sold = sql`from order_items oi
    join orders o on o.id = oi.order_id
    join menu_items mi on mi.id = oi.menu_item_id
    join menu_categories mc on mc.id = mi.category_id
    where o.restaurant_id = ${restaurantId} and o.status <> 'cancelled'
      and o.created_at >= ${w.start} and o.created_at < ${w.end}`;
  const topItems = (orderBy: SQL) =>
    selectRows<ItemRow>(
      db,
      sql`select mi.id as "menuItemId", mi.name as "name", mi.category_id as "categoryId",
            sum(oi.quantity)::int as "quantity", sum(oi.total_cents)::bigint as "revenueCents"
          ${sold} group by mi.id order by ${orderBy}, mi.id limit ${TOP}`,
    );
  const byQuantity = await topItems(sql`"quantity" desc`);
  const byRevenue = await topItems(sql`"revenueCents" desc`);
  const categories = await selectRows<CategoryRow>(
    db,
    sql`select mc.id as "categoryId", mc.name as "name",
          sum(oi.quantity)::int as "quantity", sum(oi.total_cents)::bigint as "revenueCents"
        ${sold} group by mc.id order by "revenueCents" desc, mc.id`,
  );
  const money = <T extends { revenueCents: string }>(row: T) => ({ ...row, revenueCents: Number(row.revenueCents) });
  return {
    topItemsByQuantity: byQuantity.map(money),
    topItemsByRevenue: byRevenue.map(money),
    categories: categories.map(money),
  };
}
