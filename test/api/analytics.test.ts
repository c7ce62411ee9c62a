import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { customers, deliveries, menuCategories, menuItems, orderItems, orders } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createTestApp, notInProcess, type TestApp } from "../support/app";

/**
 * The expected figures are computed here in plain JS over the seeded rows,
 * independently of the SQL under test.
 */
const FROM = "2026-10-01";
const TO = "2026-10-31";
const RESTAURANT = 1;

let t: TestApp;
let manager: string;
let rows: Awaited<ReturnType<typeof loadRows>>;

async function loadRows(tt: TestApp) {
  const [orderRows, itemRows, deliveryRows, customerRows, menuRows, categoryRows] = await Promise.all([
    tt.db.select().from(orders).where(eq(orders.restaurantId, RESTAURANT)),
    tt.db.select().from(orderItems),
    tt.db.select().from(deliveries),
    tt.db.select().from(customers),
    tt.db.select().from(menuItems),
    tt.db.select().from(menuCategories),
  ]);
  return { orderRows, itemRows, deliveryRows, customerRows, menuRows, categoryRows };
}

const localDay = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const dayOf = (d: Date) => localDay.format(d);
const inRange = (d: Date) => dayOf(d) >= FROM && dayOf(d) <= TO;
const live = (o: { status: string }) => o.status !== "cancelled";

function groupSum<T>(list: T[], key: (x: T) => number | string, value: (x: T) => number) {
  const out = new Map<number | string, number>();
  for (const x of list) out.set(key(x), (out.get(key(x)) ?? 0) + value(x));
  return out;
}

async function analytics(metric: string, query = `from=${FROM}&to=${TO}`, token = manager) {
  return t.call("GET", `/v1/restaurants/${RESTAURANT}/analytics/${metric}?${query}`, { token });
}

beforeAll(async () => {
  t = await createTestApp();
  manager = await t.tokenFor(DEMO_USERS.manager);
  rows = await loadRows(t);
}, 120_000);
afterAll(() => t.close());

describe("analytics figures match the seeded rows", () => {
  it("orders: per day, revenue, average order value, status breakdown", async () => {
    const res = await analytics("orders");
    expect(res.status).toBe(200);
    const ranged = rows.orderRows.filter((o) => inRange(o.createdAt));
    const revenue = ranged.filter(live).reduce((n, o) => n + o.totalCents, 0);
    expect(ranged.length).toBeGreaterThan(500);
    expect(res.body.totalOrders).toBe(ranged.length);
    expect(res.body.revenueOrders).toBe(ranged.filter(live).length);
    expect(res.body.revenueCents).toBe(revenue);
    expect(res.body.averageOrderValueCents).toBe(Math.round(revenue / ranged.filter(live).length));
    const perDayOrders = groupSum(
      ranged,
      (o) => dayOf(o.createdAt),
      () => 1,
    );
    const perDayRevenue = groupSum(
      ranged.filter(live),
      (o) => dayOf(o.createdAt),
      (o) => o.totalCents,
    );
    expect(res.body.perDay).toEqual(
      [...perDayOrders.keys()].sort().map((date) => ({
        date,
        orders: perDayOrders.get(date),
        revenueCents: perDayRevenue.get(date) ?? 0,
      })),
    );
    expect(res.body.perDay).toHaveLength(31);
    const statuses = groupSum(
      ranged,
      (o) => o.status,
      () => 1,
    );
    expect(
      Object.fromEntries(res.body.statusBreakdown.map((s: { status: string; orders: number }) => [s.status, s.orders])),
    ).toEqual(Object.fromEntries(statuses));
  });

  it("customers: new vs returning and the top customers by revenue", async () => {
    const res = await analytics("customers");
    const liveOrders = rows.orderRows.filter(live);
    const ranged = liveOrders.filter((o) => inRange(o.createdAt));
    const firstDay = new Map<number, string>();
    for (const o of liveOrders) {
      const day = dayOf(o.createdAt);
      const seen = firstDay.get(o.customerId);
      if (!seen || day < seen) firstDay.set(o.customerId, day);
    }
    const buyers = [...new Set(ranged.map((o) => o.customerId))];
    const fresh = buyers.filter((id) => (firstDay.get(id) ?? "") >= FROM);
    expect(res.body.customers).toBe(buyers.length);
    expect(res.body.newCustomers).toBe(fresh.length);
    expect(res.body.returningCustomers).toBe(buyers.length - fresh.length);
    expect(fresh.length).toBeGreaterThan(0);
    expect(buyers.length - fresh.length).toBeGreaterThan(0);

    const revenue = groupSum(
      ranged,
      (o) => o.customerId,
      (o) => o.totalCents,
    );
    const count = groupSum(
      ranged,
      (o) => o.customerId,
      () => 1,
    );
    const names = new Map(rows.customerRows.map((c) => [c.id, c.name]));
    const top = [...revenue]
      .sort(([a, ra], [b, rb]) => rb - ra || Number(a) - Number(b))
      .slice(0, 10)
      .map(([id, cents]) => ({
        customerId: id,
        name: names.get(Number(id)),
        orders: count.get(id),
        revenueCents: cents,
      }));
    expect(res.body.topCustomers).toEqual(top);
  });

  it("menu: top items by quantity and revenue, and sales per category", async () => {
    const res = await analytics("menu");
    const rangedIds = new Set(rows.orderRows.filter((o) => live(o) && inRange(o.createdAt)).map((o) => o.id));
    const sold = rows.itemRows.filter((i) => rangedIds.has(i.orderId));
    const menu = new Map(rows.menuRows.map((m) => [m.id, m]));
    const qty = groupSum(
      sold,
      (i) => i.menuItemId,
      (i) => i.quantity,
    );
    const rev = groupSum(
      sold,
      (i) => i.menuItemId,
      (i) => i.totalCents,
    );
    const item = (id: number | string) => {
      const m = menu.get(Number(id))!;
      return {
        menuItemId: m.id,
        name: m.name,
        categoryId: m.categoryId,
        quantity: qty.get(id),
        revenueCents: rev.get(id),
      };
    };
    const top = (by: Map<number | string, number>) =>
      [...by]
        .sort(([a, x], [b, y]) => y - x || Number(a) - Number(b))
        .slice(0, 10)
        .map(([id]) => item(id));
    expect(res.body.topItemsByQuantity).toEqual(top(qty));
    expect(res.body.topItemsByRevenue).toEqual(top(rev));

    const categoryOf = (i: { menuItemId: number }) => menu.get(i.menuItemId)!.categoryId;
    const catQty = groupSum(sold, categoryOf, (i) => i.quantity);
    const catRev = groupSum(sold, categoryOf, (i) => i.totalCents);
    const catNames = new Map(rows.categoryRows.map((c) => [c.id, c.name]));
    expect(res.body.categories).toEqual(
      [...catRev]
        .sort(([a, x], [b, y]) => y - x || Number(a) - Number(b))
        .map(([id, cents]) => ({
          categoryId: id,
          name: catNames.get(Number(id)),
          quantity: catQty.get(id),
          revenueCents: cents,
        })),
    );
  });

  it("delivery: average and p90 minutes and the on-time share", async () => {
    const res = await analytics("delivery");
    const ranged = new Map(rows.orderRows.filter((o) => inRange(o.createdAt)).map((o) => [o.id, o]));
    const mine = rows.deliveryRows.filter((d) => ranged.has(d.orderId));
    const delivered = mine.filter((d) => d.deliveredAt !== null);
    const minutes = delivered
      .map((d) => (d.deliveredAt!.getTime() - ranged.get(d.orderId)!.createdAt.getTime()) / 60_000)
      .sort((a, b) => a - b);
    const rank = 0.9 * (minutes.length - 1);
    const lower = minutes[Math.floor(rank)]!;
    const p90 = lower + (rank - Math.floor(rank)) * (minutes[Math.ceil(rank)]! - lower);
    const onTime = delivered.filter(
      (d) => d.deliveredAt!.getTime() <= ranged.get(d.orderId)!.createdAt.getTime() + d.estimatedMinutes * 60_000,
    ).length;
    expect(res.body.deliveries).toBe(mine.length);
    expect(res.body.delivered).toBe(delivered.length);
    expect(res.body.averageMinutes).toBeCloseTo(minutes.reduce((n, m) => n + m, 0) / minutes.length, 1);
    expect(res.body.p90Minutes).toBeCloseTo(p90, 1);
    expect(res.body.onTimeDeliveries).toBe(onTime);
    expect(res.body.onTimeShare).toBeCloseTo(onTime / delivered.length, 3);
    expect(onTime).toBeLessThan(delivered.length);
  });
});

describe("analytics access, caching and input", () => {
  it.skipIf(notInProcess)("caches each range for ten minutes under its own key", async () => {
    await analytics("orders", "from=2026-09-01&to=2026-09-30");
    t.database.resetQueryCount();
    const again = await analytics("orders", "from=2026-09-01&to=2026-09-30");
    expect(again.headers.get("x-cache")).toBe("hit");
    // Nothing reaches the database but, when the principal cache has expired, the sign-in's lookup.
    expect(t.database.queries.filter((q) => !q.includes('from "users"'))).toHaveLength(0);
    expect(t.database.queries.some((q) => q.includes("orders"))).toBe(false);
    const key = `${t.config.REDIS_PREFIX}:analytics:orders:${RESTAURANT}:2026-09-01_2026-09-30`;
    const ttl = Number(await t.redis.send("TTL", [key]));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    expect((await analytics("orders", "from=2026-09-02&to=2026-09-30")).headers.get("x-cache")).toBe("miss");
  });

  it("is for owners, managers and admins of the restaurant", async () => {
    expect((await analytics("menu", "", await t.tokenFor(DEMO_USERS.owner))).status).toBe(200);
    expect((await analytics("menu", "", await t.tokenFor(DEMO_USERS.admin))).status).toBe(200);
    expect((await analytics("menu", "", await t.tokenFor(DEMO_USERS.staff))).status).toBe(403);
    expect((await analytics("menu", "", await t.tokenFor(DEMO_USERS.owner2))).status).toBe(404);
    expect((await t.call("GET", `/v1/restaurants/${RESTAURANT}/analytics/menu`)).status).toBe(401);
    const admin = await t.tokenFor(DEMO_USERS.admin);
    expect((await t.call("GET", "/v1/restaurants/99999/analytics/orders", { token: admin })).status).toBe(404);
  });

  it("rejects unknown metrics, malformed dates and reversed or oversized ranges", async () => {
    for (const [metric, query] of [
      ["revenue", ""],
      ["orders", "from=2026-13-01"],
      ["orders", "from=2026-10-31&to=2026-10-01"],
      ["orders", "from=2024-01-01&to=2026-10-01"],
    ] as const) {
      const res = await analytics(metric, query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    }
  });
});
