import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { orders } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createTestApp, notInProcess, type TestApp } from "../support/app";

let t: TestApp;
let staff: string;

beforeAll(async () => {
  t = await createTestApp();
  staff = await t.tokenFor(DEMO_USERS.staff);
}, 120_000);
afterAll(() => t.close());

/** Statements that are not the sign-in's membership lookup. */
const endpointQueries = () => t.database.queries.filter((q) => !q.includes("restaurant_members"));

describe("GET /v1/restaurants/{id}/orders", () => {
  it("pages through the restaurant's orders with items, payments and delivery", async () => {
    const all = await t.db.select({ id: orders.id }).from(orders).where(eq(orders.restaurantId, 1));
    const res = await t.call("GET", "/v1/restaurants/1/orders?pageSize=50", { token: staff });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(all.length);
    expect(res.body.data).toHaveLength(50);
    const times = res.body.data.map((o: { createdAt: string }) => o.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    for (const order of res.body.data) {
      expect(order.restaurantId).toBe(1);
      expect(order.items.length).toBeGreaterThan(0);
      if (order.status !== "cancelled") expect(order.payments[0].amountCents).toBe(order.totalCents);
    }
    const second = await t.call("GET", "/v1/restaurants/1/orders?pageSize=50&page=2", { token: staff });
    expect(second.body.data[0].id).not.toBe(res.body.data[0].id);
  });

  it.skipIf(notInProcess)("loads a page in the same three queries whatever its size", async () => {
    t.database.resetQueryCount();
    await t.call("GET", "/v1/restaurants/1/orders?pageSize=5", { token: staff });
    const small = endpointQueries().length;
    t.database.resetQueryCount();
    await t.call("GET", "/v1/restaurants/1/orders?pageSize=100", { token: staff });
    expect(endpointQueries()).toHaveLength(small);
    expect(small).toBe(3);
  });

  it("filters by status and by creation time", async () => {
    const cancelled = await t.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.restaurantId, 1), eq(orders.status, "cancelled")));
    const res = await t.call("GET", "/v1/restaurants/1/orders?status=cancelled&pageSize=100", { token: staff });
    expect(res.body.total).toBe(cancelled.length);
    expect(res.body.data.every((o: { status: string }) => o.status === "cancelled")).toBe(true);

    const from = "2026-10-01T00:00:00Z";
    const to = "2026-10-02T00:00:00Z";
    const day = await t.call("GET", `/v1/restaurants/1/orders?from=${from}&to=${to}&pageSize=100`, { token: staff });
    expect(day.body.total).toBeGreaterThan(0);
    for (const o of day.body.data) expect(o.createdAt >= "2026-10-01" && o.createdAt < "2026-10-02").toBe(true);
  });

  it("is for the restaurant's staff and admins, and rejects bad filters", async () => {
    expect((await t.call("GET", "/v1/restaurants/1/orders")).status).toBe(401);
    expect(
      (await t.call("GET", "/v1/restaurants/1/orders", { token: await t.tokenFor(DEMO_USERS.customer) })).status,
    ).toBe(404);
    expect(
      (await t.call("GET", "/v1/restaurants/1/orders", { token: await t.tokenFor(DEMO_USERS.owner2) })).status,
    ).toBe(404);
    const admin = await t.tokenFor(DEMO_USERS.admin);
    expect((await t.call("GET", "/v1/restaurants/2/orders", { token: admin })).status).toBe(200);
    expect((await t.call("GET", "/v1/restaurants/99999/orders", { token: admin })).status).toBe(404);
    for (const query of ["status=lost", "from=yesterday", "from=2026-10-02&to=2026-10-01", "pageSize=0"]) {
      const res = await t.call("GET", `/v1/restaurants/1/orders?${query}`, { token: staff });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    }
  });
});

describe("GET /v1/restaurants/{id}/orders/export", () => {
  it.skipIf(notInProcess)("streams every order of the restaurant as CSV, a keyset chunk per query", async () => {
    const all = await t.db.select({ id: orders.id }).from(orders).where(eq(orders.restaurantId, 1));
    t.database.resetQueryCount();
    const res = await t.request("/v1/restaurants/1/orders/export", {
      headers: { authorization: `Bearer ${staff}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trimEnd().split("\n");
    expect(lines[0]).toStartWith("id,created_at,");
    const ids = lines.slice(1).map((line) => Number(line.split(",")[0]));
    expect(ids).toHaveLength(all.length);
    expect(new Set(ids)).toEqual(new Set(all.map((o) => o.id)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // One existence check, then one query per 500 orders (the last, short chunk ends the stream).
    expect(endpointQueries()).toHaveLength(1 + Math.floor(all.length / 500) + 1);
  });

  it.skipIf(notInProcess)("reads the database only as fast as the client takes the stream", async () => {
    t.database.resetQueryCount();
    const res = await t.request("/v1/restaurants/1/orders/export", {
      headers: { authorization: `Bearer ${staff}` },
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await Bun.sleep(50);
    const chunkQueries = endpointQueries().filter((q) => q.includes("order by"));
    expect(chunkQueries.length).toBeLessThanOrEqual(2);
    await reader.cancel();
  });

  it("applies the filters and the same access rules as the listing", async () => {
    const cancelled = await t.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.restaurantId, 1), eq(orders.status, "cancelled")));
    const res = await t.request("/v1/restaurants/1/orders/export?status=cancelled", {
      headers: { authorization: `Bearer ${staff}` },
    });
    const lines = (await res.text()).trimEnd().split("\n").slice(1);
    expect(lines).toHaveLength(cancelled.length);
    expect(lines.every((l) => l.split(",")[4] === "cancelled")).toBe(true);
    const denied = await t.call("GET", "/v1/restaurants/1/orders/export", {
      token: await t.tokenFor(DEMO_USERS.owner2),
    });
    expect(denied.status).toBe(404);
    expect(denied.body.error.code).toBe("not_found");
  });
});
