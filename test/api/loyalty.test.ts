import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { customers, loyaltyPrograms, users } from "../../db/schema";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
let owner: string;
let owner2: string;
let manager: string;
let customer: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.tokenFor("owner@demo.test");
  owner2 = await t.tokenFor("owner2@demo.test");
  manager = await t.tokenFor("manager@demo.test");
  customer = await t.tokenFor("customer@demo.test");
}, 300_000);
afterAll(() => t.close());

const rulesOf = async (restaurantId: number) => {
  const res = await t.call("GET", `/v1/restaurants/${restaurantId}/loyalty-rules`);
  expect(res.status).toBe(200);
  return res.body.rules as Array<{ id: number; name: string; points: number }>;
};

async function customerPoints(): Promise<number> {
  const [row] = await t.db
    .select({ points: customers.loyaltyPoints })
    .from(customers)
    .innerJoin(users, eq(users.id, customers.userId))
    .where(eq(users.email, "customer@demo.test"));
  return row?.points ?? 0;
}

let orderKeys = 0;
async function placeOrder(restaurantId: number) {
  const restaurant = await t.call("GET", `/v1/restaurants/${restaurantId}`);
  const menu = await t.call("GET", `/v1/restaurants/${restaurantId}/menu`);
  const item = menu.body.categories
    .flatMap(
      (c: { items: Array<{ id: number; available: boolean; branchId: number | null; priceCents: number }> }) => c.items,
    )
    .find((i: { available: boolean; branchId: number | null }) => i.available && i.branchId === null);
  const res = await t.call("POST", "/v1/orders", {
    token: customer,
    headers: { "idempotency-key": `loyalty-${process.pid}-${++orderKeys}` },
    body: {
      restaurantId,
      branchId: restaurant.body.branches[0].id,
      type: "pickup",
      items: [{ menuItemId: item.id, quantity: 3 }],
    },
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe("loyalty programs and rules", () => {
  it("lets an owner create, change and delete rules, and the cached read changes right after each write", async () => {
    const before = await rulesOf(1);
    // Read twice: the second read is the cached one.
    expect((await t.call("GET", "/v1/restaurants/1/loyalty-rules")).headers.get("x-cache")).toBe("hit");

    const program = await t.call("POST", "/v1/restaurants/1/loyalty-programs", {
      token: owner,
      body: { name: "Burger club" },
    });
    expect(program.status).toBe(201);
    expect(program.body).toMatchObject({ name: "Burger club", active: true, rules: [] });

    const created = await t.call("POST", "/v1/restaurants/1/loyalty-rules", {
      token: owner,
      body: { programId: program.body.id, name: "Double points", ruleType: "points_per_amount", points: 2 },
    });
    expect(created.status).toBe(201);
    const afterCreate = await rulesOf(1);
    expect(afterCreate.map((r) => r.id)).toEqual([...before.map((r) => r.id), created.body.id]);

    const changed = await t.call("PATCH", `/v1/restaurants/1/loyalty-rules/${created.body.id}`, {
      token: owner,
      body: { points: 3, name: "Triple points" },
    });
    expect(changed.status).toBe(200);
    expect((await rulesOf(1)).find((r) => r.id === created.body.id)).toMatchObject({
      points: 3,
      name: "Triple points",
    });

    // A paused program's rules stop counting.
    const paused = await t.call("PATCH", `/v1/restaurants/1/loyalty-programs/${program.body.id}`, {
      token: owner,
      body: { active: false },
    });
    expect(paused.status).toBe(200);
    expect((await rulesOf(1)).some((r) => r.id === created.body.id)).toBe(false);
    await t.call("PATCH", `/v1/restaurants/1/loyalty-programs/${program.body.id}`, {
      token: owner,
      body: { active: true },
    });

    const removed = await t.call("DELETE", `/v1/restaurants/1/loyalty-rules/${created.body.id}`, { token: owner });
    expect(removed.status).toBe(204);
    expect((await rulesOf(1)).map((r) => r.id)).toEqual(before.map((r) => r.id));

    const listed = await t.call("GET", "/v1/restaurants/1/loyalty-programs", { token: owner });
    expect(listed.body.programs.some((p: { id: number }) => p.id === program.body.id)).toBe(true);
    expect(
      (await t.call("DELETE", `/v1/restaurants/1/loyalty-programs/${program.body.id}`, { token: owner })).status,
    ).toBe(204);
    const gone = await t.db.select().from(loyaltyPrograms).where(eq(loyaltyPrograms.id, program.body.id));
    expect(gone).toHaveLength(0);
  });

  it("records the points an order earns under the active rules on the customer, and takes them back on cancel", async () => {
    const program = await t.call("POST", "/v1/restaurants/2/loyalty-programs", {
      token: owner2,
      body: { name: "Visits" },
    });
    const bonus = await t.call("POST", "/v1/restaurants/2/loyalty-rules", {
      token: owner2,
      body: { programId: program.body.id, name: "Visit bonus", ruleType: "visit_bonus", points: 1000 },
    });
    expect(bonus.status).toBe(201);
    const pointsBefore = await customerPoints();
    const order = await placeOrder(2);
    expect(order.loyaltyPointsEarned).toBeGreaterThanOrEqual(1000);
    expect(await customerPoints()).toBe(pointsBefore + order.loyaltyPointsEarned);

    // Right after the rule is deleted, the next order no longer earns its bonus.
    await t.call("DELETE", `/v1/restaurants/2/loyalty-rules/${bonus.body.id}`, { token: owner2 });
    const next = await placeOrder(2);
    expect(next.loyaltyPointsEarned).toBe(order.loyaltyPointsEarned - 1000);

    const cancelled = await t.call("POST", `/v1/orders/${order.id}/cancel`, { token: customer });
    expect(cancelled.status).toBe(200);
    expect(await customerPoints()).toBe(pointsBefore + next.loyaltyPointsEarned);
  });

  it("lets only owners and admins write, hides other restaurants, and refuses bad input changing nothing", async () => {
    const body = { name: "Nope" };
    expect((await t.call("POST", "/v1/restaurants/1/loyalty-programs", { token: manager, body })).status).toBe(403);
    expect((await t.call("POST", "/v1/restaurants/1/loyalty-programs", { token: owner2, body })).status).toBe(404);
    expect((await t.call("POST", "/v1/restaurants/1/loyalty-programs", { body })).status).toBe(401);
    const programs = await t.call("GET", "/v1/restaurants/2/loyalty-programs", { token: owner2 });
    const foreign = programs.body.programs[0];
    if (foreign) {
      const crossed = await t.call("PATCH", `/v1/restaurants/1/loyalty-programs/${foreign.id}`, {
        token: owner,
        body: { name: "stolen" },
      });
      expect(crossed.status).toBe(404);
    }
    const before = await rulesOf(1);
    const bad = await t.call("POST", "/v1/restaurants/1/loyalty-rules", {
      token: owner,
      body: { programId: 1, name: "", ruleType: "cashback", points: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_error");
    const empty = await t.call("PATCH", `/v1/restaurants/1/loyalty-rules/${before[0]?.id ?? 1}`, {
      token: owner,
      body: {},
    });
    expect(empty.status).toBe(400);
    expect(await rulesOf(1)).toEqual(before);
  });
});
