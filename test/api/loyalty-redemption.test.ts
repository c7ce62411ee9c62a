import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { customers, orders, users } from "../../db/schema";
import { createTestApp, type TestApp } from "../support/app";

/**
 * Customers spend loyalty points on a restaurant's rewards when they place an order
 * (`redeemRewardId`): the balance is checked and taken in the order's transaction, the reward's
 * value comes off the subtotal on the server, a replay spends nothing more, and a cancellation
 * gives the points back.
 */
let t: TestApp;
let customer: string;
let owner: string;
let customerId: number;

type Rule = { id: number; name: string; ruleType: string; points: number; rewardValueCents: number | null };

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.tokenFor("customer@demo.test");
  owner = await t.tokenFor("owner@demo.test");
  const [row] = await t.db
    .select({ id: customers.id })
    .from(customers)
    .innerJoin(users, eq(users.id, customers.userId))
    .where(eq(users.email, "customer@demo.test"));
  customerId = row!.id;
}, 300_000);
afterAll(() => t.close());

const setPoints = (points: number) =>
  t.db.update(customers).set({ loyaltyPoints: points }).where(eq(customers.id, customerId));

async function balance(): Promise<number> {
  const res = await t.call("GET", "/v1/me/loyalty", { token: customer });
  expect(res.status).toBe(200);
  return res.body.points;
}

async function orderCount(): Promise<number> {
  const [row] = await t.db
    .select({ n: sql<number>`count(*)::int` })
    .from(orders)
    .where(eq(orders.customerId, customerId));
  return row!.n;
}

async function rewards(restaurantId: number): Promise<Rule[]> {
  const res = await t.call("GET", `/v1/restaurants/${restaurantId}/loyalty-rules`);
  return (res.body.rules as Rule[]).filter((r) => r.ruleType === "reward");
}

let keys = 0;
async function order(
  restaurantId: number,
  extra: Record<string, unknown> = {},
  key = `redeem-${++keys}-${Date.now()}`,
) {
  const restaurant = await t.call("GET", `/v1/restaurants/${restaurantId}`);
  const menu = await t.call("GET", `/v1/restaurants/${restaurantId}/menu`);
  const item = menu.body.categories
    .flatMap((c: { items: Array<{ id: number; available: boolean; branchId: number | null }> }) => c.items)
    .find((i: { available: boolean; branchId: number | null }) => i.available && i.branchId === null);
  return t.call("POST", "/v1/orders", {
    token: customer,
    headers: { "idempotency-key": key },
    body: {
      restaurantId,
      branchId: restaurant.body.branches[0].id,
      type: "pickup",
      items: [{ menuItemId: item.id, quantity: 3 }],
      ...extra,
    },
  });
}

describe("redeeming loyalty points for a reward", () => {
  it("refuses a client's own discount, points or total with 400, spending and writing nothing", async () => {
    await setPoints(1000);
    const before = await orderCount();
    for (const claim of [{ discountCents: 5000 }, { loyaltyPointsRedeemed: 1 }, { totalCents: 1 }]) {
      const res = await order(1, claim);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    }
    expect(await orderCount()).toBe(before);
    expect(await balance()).toBe(1000);
  });

  it("spends the reward's points, takes its value off the subtotal, replays without spending again, and shows it in the reads", async () => {
    const drink = (await rewards(1)).find((r) => r.name === "Free drink")!;
    expect(drink).toMatchObject({ points: 100, rewardValueCents: 400 });
    await setPoints(300);
    const plain = await order(1);
    expect(plain.status).toBe(201);
    const afterPlain = await balance();
    expect(afterPlain).toBe(300 + plain.body.loyaltyPointsEarned);

    const key = `redeem-replay-${Date.now()}`;
    const res = await order(1, { redeemRewardId: drink.id }, key);
    expect(res.status).toBe(201);
    const o = res.body;
    expect(o).toMatchObject({ loyaltyRewardId: drink.id, loyaltyPointsRedeemed: 100, discountCents: 400 });
    expect(o.subtotalCents).toBe(plain.body.subtotalCents);
    expect(o.totalCents).toBe(o.subtotalCents - 400 + o.taxCents + o.deliveryFeeCents);
    expect(o.taxCents).toBeLessThan(plain.body.taxCents);
    expect(o.totalCents).toBeLessThan(plain.body.totalCents);
    expect(await balance()).toBe(afterPlain - 100 + o.loyaltyPointsEarned);

    const again = await order(1, { redeemRewardId: drink.id }, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(o.id);
    expect(await balance()).toBe(afterPlain - 100 + o.loyaltyPointsEarned);

    const read = await t.call("GET", `/v1/orders/${o.id}`, { token: customer });
    expect(read.body).toMatchObject({ loyaltyRewardId: drink.id, loyaltyPointsRedeemed: 100, discountCents: 400 });
    expect(read.body.totalCents).toBe(o.totalCents);
  });

  it("refuses an unknown reward and a short balance with stable codes, and writes nothing", async () => {
    await setPoints(50);
    const before = await orderCount();
    const earnRule = (await t.call("GET", "/v1/restaurants/1/loyalty-rules")).body.rules.find(
      (r: Rule) => r.ruleType === "points_per_amount",
    ) as Rule;
    const otherRestaurants = (await rewards(2))[0]!;
    for (const redeemRewardId of [987_654, earnRule.id, otherRestaurants.id]) {
      const res = await order(1, { redeemRewardId });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("unknown_reward");
    }
    const drink = (await rewards(1)).find((r) => r.name === "Free drink")!;
    const short = await order(1, { redeemRewardId: drink.id });
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe("insufficient_points");
    const bad = await order(1, { redeemRewardId: "a drink" });
    expect(bad.status).toBe(400);
    expect(await orderCount()).toBe(before);
    expect(await balance()).toBe(50);
  });

  it("never spends the same points twice when orders race", async () => {
    // A reward worth the whole balance: after one order spends it, what that order earned is far short.
    const created = await t.call("POST", "/v1/restaurants/1/loyalty-rules", {
      token: owner,
      body: { programId: 1, name: "Chef's table", ruleType: "reward", points: 1000, rewardValueCents: 500 },
    });
    expect(created.status).toBe(201);
    await setPoints(1000);
    const before = await orderCount();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => order(1, { redeemRewardId: created.body.id }, `race-${Date.now()}-${i}`)),
    );
    const placed = results.filter((r) => r.status === 201);
    expect(placed).toHaveLength(1);
    for (const refused of results.filter((r) => r.status !== 201)) {
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("insufficient_points");
    }
    expect(await orderCount()).toBe(before + 1);
    expect(await balance()).toBe(placed[0]!.body.loyaltyPointsEarned);
  });

  it("gives the reward's points back when the order is cancelled, once", async () => {
    const main = (await rewards(3)).find((r) => r.name === "Free main")!;
    await setPoints(400);
    const res = await order(3, { redeemRewardId: main.id });
    expect(res.status).toBe(201);
    expect(res.body.loyaltyPointsRedeemed).toBe(250);
    expect(await balance()).toBe(150 + res.body.loyaltyPointsEarned);
    for (let i = 0; i < 2; i++) {
      const cancelled = await t.call("POST", `/v1/orders/${res.body.id}/cancel`, { token: customer, body: {} });
      expect(cancelled.status).toBe(200);
      expect(await balance()).toBe(400);
    }
  });
});
