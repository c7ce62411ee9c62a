import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { menuCategories, menuItems, restaurants } from "../../db/schema";
import { restaurantConfigSchema } from "../../src/services/restaurants/restaurant-config";
import { createTestApp, notInProcess, type TestApp } from "../support/app";
import { cacheBeside } from "../support/cache";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(() => t.close());

describe("public restaurant routes", () => {
  it("lists active restaurants a page at a time", async () => {
    const first = await t.call("GET", "/v1/restaurants?pageSize=2");
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.total).toBeGreaterThanOrEqual(3);
    const second = await t.call("GET", "/v1/restaurants?pageSize=2&page=2");
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });

  it("rejects a bad page size with the error format", async () => {
    const res = await t.call("GET", "/v1/restaurants?pageSize=1000");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.message).toContain("pageSize");
  });

  it("returns a restaurant with its branches, and 404 for an unknown one", async () => {
    const res = await t.call("GET", "/v1/restaurants/1");
    expect(res.status).toBe(200);
    expect(res.body.branches.length).toBeGreaterThan(0);
    const missing = await t.call("GET", "/v1/restaurants/999999");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it.skipIf(notInProcess)("serves the whole menu in two queries, whatever its size", async () => {
    const stored = await t.db.select({ id: menuItems.id }).from(menuItems).where(eq(menuItems.restaurantId, 1));
    t.database.resetQueryCount();
    const res = await t.call("GET", "/v1/restaurants/1/menu");
    expect(res.status).toBe(200);
    expect(t.database.queries).toHaveLength(2);
    const served = res.body.categories.flatMap((c: { items: unknown[] }) => c.items).length;
    expect(served).toBe(stored.length);

    // Grow the menu by 300 items: still two queries.
    const [category] = await t.db
      .select({ id: menuCategories.id })
      .from(menuCategories)
      .where(eq(menuCategories.restaurantId, 1))
      .limit(1);
    await t.db.insert(menuItems).values(
      Array.from({ length: 300 }, (_, i) => ({
        restaurantId: 1,
        categoryId: category!.id,
        name: `Extra ${i}`,
        priceCents: 100 + i,
      })),
    );
    // A direct write bypasses the services, so it invalidates the cached menu the way the POS menu sync does.
    await cacheBeside(t).invalidateMenu(1);
    t.database.resetQueryCount();
    const bigger = await t.call("GET", "/v1/restaurants/1/menu");
    const servedNow = bigger.body.categories.flatMap((c: { items: unknown[] }) => c.items).length;
    expect(servedNow).toBe(stored.length + 300);
    expect(t.database.queries).toHaveLength(2);
  });

  it("filters the menu by branch and refuses another restaurant's branch", async () => {
    const restaurant = await t.call("GET", "/v1/restaurants/1");
    const branchId = restaurant.body.branches[0].id;
    const res = await t.call("GET", `/v1/restaurants/1/menu?branchId=${branchId}`);
    expect(res.status).toBe(200);
    for (const c of res.body.categories) {
      for (const item of c.items) expect(item.branchId === null || item.branchId === branchId).toBe(true);
    }
    const other = await t.call("GET", "/v1/restaurants/2");
    const wrong = await t.call("GET", `/v1/restaurants/1/menu?branchId=${other.body.branches[0].id}`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe("invalid_branch");
  });

  it("lists loyalty rules", async () => {
    const res = await t.call("GET", "/v1/restaurants/1/loyalty-rules");
    expect(res.status).toBe(200);
    expect(res.body.rules.length).toBeGreaterThan(0);
  });
});

describe("auth and config", () => {
  it("answers 401 without a token and with a forged one", async () => {
    expect((await t.call("GET", "/v1/me")).status).toBe(401);
    const forged = await t.call("GET", "/v1/me", { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad" });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("unauthorized");
  });

  it("describes the signed-in user and their roles", async () => {
    const res = await t.call("GET", "/v1/me", { token: await t.tokenFor("owner@demo.test") });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe("owner@demo.test");
    expect(res.body.memberships).toContainEqual({ restaurantId: 1, role: "owner" });
  });

  it("lets staff read config, hides another restaurant's, and lets only owners write", async () => {
    const manager = await t.tokenFor("manager@demo.test");
    expect((await t.call("GET", "/v1/restaurants/1/config", { token: manager })).status).toBe(200);
    expect((await t.call("GET", "/v1/restaurants/2/config", { token: manager })).status).toBe(404);
    const current = (await t.call("GET", "/v1/restaurants/1/config", { token: manager })).body.config;
    const denied = await t.call("PUT", "/v1/restaurants/1/config", { token: manager, body: current });
    expect(denied.status).toBe(403);

    const owner = await t.tokenFor("owner@demo.test");
    const updated = await t.call("PUT", "/v1/restaurants/1/config", {
      token: owner,
      body: { ...current, prepTimeMinutes: 33 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.config.prepTimeMinutes).toBe(33);
    const admin = await t.tokenFor("admin@demo.test");
    expect((await t.call("GET", "/v1/restaurants/2/config", { token: admin })).status).toBe(200);
  });

  it("seeds configs that are valid documents, not defaults", async () => {
    const rows = await t.db.select({ config: restaurants.config }).from(restaurants);
    for (const row of rows) expect(() => restaurantConfigSchema.strict().parse(row.config)).not.toThrow();
  });

  it("rejects an invalid config and changes nothing", async () => {
    const owner = await t.tokenFor("owner@demo.test");
    const before = (await t.call("GET", "/v1/restaurants/1/config", { token: owner })).body;
    const bad = await t.call("PUT", "/v1/restaurants/1/config", {
      token: owner,
      body: { ...before.config, taxRateBps: -5, surprise: true },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_error");
    const after = (await t.call("GET", "/v1/restaurants/1/config", { token: owner })).body;
    expect(after).toEqual(before);
  });
});

describe("service routes", () => {
  it("publishes an OpenAPI 3.1 document with the bearer scheme and every route", async () => {
    const res = await t.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
    for (const path of [
      "/v1/restaurants",
      "/v1/restaurants/{id}/menu",
      "/v1/orders",
      "/v1/orders/{id}/payments",
      "/v1/me",
    ]) {
      expect(Object.keys(res.body.paths)).toContain(path);
    }
  });

  it("serves the API reference, liveness and readiness", async () => {
    const docs = await t.request("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
    expect((await t.call("GET", "/healthz")).body.status).toBe("ok");
    const ready = await t.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.checks.redis.ok).toBe(true);
    expect(ready.body.checks.database.ok).toBe(true);
  });

  it("answers unknown routes and oversized bodies in the error format", async () => {
    const missing = await t.call("GET", "/v1/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("route_not_found");
    const owner = await t.tokenFor("owner@demo.test");
    const big = await t.request("/v1/restaurants/1/config", {
      method: "PUT",
      headers: { authorization: `Bearer ${owner}`, "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(t.config.BODY_LIMIT_BYTES + 10) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("payload_too_large");
  });

  it("tags every response with a request id", async () => {
    const res = await t.call("GET", "/healthz");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
