import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { count, eq, sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { menuItems, orders, posConnections, restaurantMembers, restaurants, users } from "../db/schema";
import {
  DEFAULT_SEED_NOW,
  DEMO_CUSTOMER_ID,
  DEMO_RESTAURANTS,
  DEMO_USER_IDS,
  DEMO_USERS,
  type SeedSummary,
  seedDatabase,
} from "../db/seed";

const DAY_MS = 86_400_000;

async function freshDatabase(): Promise<DatabaseHandle> {
  const handle = await openDatabase({});
  await runMigrations(handle);
  return handle;
}

async function orderChecksum(handle: DatabaseHandle): Promise<string> {
  const [row] = await handle.db
    .select({
      digest: sql<string>`md5(string_agg(${orders.id} || ':' || ${orders.customerId} || ':' || ${orders.totalCents} || ':' || ${orders.createdAt}, ',' order by ${orders.id}))`,
    })
    .from(orders);
  return row?.digest ?? "";
}

describe("seedDatabase", () => {
  let handle: DatabaseHandle;
  let summary: SeedSummary;
  const progress: string[] = [];

  beforeAll(async () => {
    handle = await freshDatabase();
    summary = await seedDatabase(handle.db, { onProgress: (message) => progress.push(message) });
  });
  afterAll(() => handle.close());

  it("creates the restaurants, menus and order volume analytics need", async () => {
    const [restaurantCount] = await handle.db.select({ n: count() }).from(restaurants);
    const [itemCount] = await handle.db.select({ n: count() }).from(menuItems);
    const [orderCount] = await handle.db.select({ n: count() }).from(orders);
    expect(restaurantCount?.n).toBeGreaterThanOrEqual(3);
    expect(itemCount?.n).toBeGreaterThanOrEqual(200);
    expect(orderCount?.n).toBeGreaterThanOrEqual(10_000);
    expect(summary.counts.orders).toBe(orderCount?.n ?? 0);
    expect(progress.some((line) => line.startsWith("orders: "))).toBe(true);
  });

  it("spreads the orders over the 90 days before the fixed seed date", async () => {
    const [span] = await handle.db
      .select({ first: sql<string>`min(${orders.createdAt})`, last: sql<string>`max(${orders.createdAt})` })
      .from(orders);
    const first = new Date(span?.first ?? 0).getTime();
    const last = new Date(span?.last ?? 0).getTime();
    expect(first).toBeGreaterThanOrEqual(DEFAULT_SEED_NOW.getTime() - 90 * DAY_MS);
    expect(last).toBeLessThan(DEFAULT_SEED_NOW.getTime());
    expect(last - first).toBeGreaterThan(88 * DAY_MS);
  });

  it("makes every order's totals add up from its items, tax and delivery fee", async () => {
    const [mismatched] = await handle.db
      .select({ n: count() })
      .from(orders)
      .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
      .where(
        sql`${orders.subtotalCents} <> (select sum(quantity * unit_price_cents) from order_items where order_id = ${orders.id})
          or ${orders.taxCents} <> round(${orders.subtotalCents} * (${restaurants.config}->>'taxRateBps')::int / 10000.0)
          or ${orders.totalCents} <> ${orders.subtotalCents} + ${orders.taxCents} + ${orders.deliveryFeeCents}`,
      );
    expect(mismatched?.n).toBe(0);
  });

  it("connects one POS of each type", async () => {
    const rows = await handle.db
      .select({ restaurantId: posConnections.restaurantId, posType: posConnections.posType })
      .from(posConnections)
      .orderBy(posConnections.restaurantId);
    expect(rows).toEqual([
      { restaurantId: DEMO_RESTAURANTS.first.id, posType: "square" },
      { restaurantId: DEMO_RESTAURANTS.second.id, posType: "toast" },
      { restaurantId: DEMO_RESTAURANTS.third.id, posType: "local" },
    ]);
  });

  it("creates the demo users with their memberships", async () => {
    const members = await handle.db
      .select({ email: users.email, restaurantId: restaurantMembers.restaurantId, role: restaurantMembers.role })
      .from(restaurantMembers)
      .innerJoin(users, eq(users.id, restaurantMembers.userId))
      .orderBy(restaurantMembers.restaurantId, users.id);
    expect(members).toEqual([
      { email: DEMO_USERS.owner, restaurantId: 1, role: "owner" },
      { email: DEMO_USERS.manager, restaurantId: 1, role: "manager" },
      { email: DEMO_USERS.staff, restaurantId: 1, role: "staff" },
      { email: DEMO_USERS.owner2, restaurantId: 2, role: "owner" },
    ]);
    const [admin] = await handle.db.select().from(users).where(eq(users.email, DEMO_USERS.admin));
    expect(admin?.isAdmin).toBe(true);
    const [customerOrders] = await handle.db
      .select({ n: count() })
      .from(orders)
      .where(eq(orders.customerId, DEMO_CUSTOMER_ID));
    expect(customerOrders?.n).toBeGreaterThan(0);
    expect(DEMO_USER_IDS.customer).toBe(6);
  });

  it("moves the id sequences past the seeded rows", async () => {
    const [user] = await handle.db.insert(users).values({ email: "new@demo.test", name: "New" }).returning();
    expect(user?.id).toBe(Object.keys(DEMO_USERS).length + 1);
  });

  it("refuses to seed a database that already has data", async () => {
    await expect(seedDatabase(handle.db)).rejects.toThrow(/not empty/);
  });

  it("produces identical orders in a second fresh database", async () => {
    const other = await freshDatabase();
    try {
      await seedDatabase(other.db);
      expect(await orderChecksum(other)).toBe(await orderChecksum(handle));
    } finally {
      await other.close();
    }
  });
});
