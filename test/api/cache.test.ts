import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq, isNull, sql } from "drizzle-orm";
import { loyaltyRules, menuItems, restaurants } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { TcpRedis } from "../../src/redis/tcp";
import { createTestApp, notInProcess, type TestApp } from "../support/app";
import { cacheBeside } from "../support/cache";

let t: TestApp;
let tokens: Record<keyof typeof DEMO_USERS, string>;

beforeAll(async () => {
  t = await createTestApp();
  const entries = await Promise.all(
    Object.entries(DEMO_USERS).map(async ([key, email]) => [key, await t.tokenFor(email)] as const),
  );
  tokens = Object.fromEntries(entries) as typeof tokens;
}, 120_000);
afterAll(() => t.close());

describe("cached client reads", () => {
  it.skipIf(notInProcess)("serves a repeated menu from Redis without touching the database", async () => {
    const first = await t.call("GET", "/v1/restaurants/2/menu");
    expect(first.status).toBe(200);
    t.database.resetQueryCount();
    const second = await t.call("GET", "/v1/restaurants/2/menu");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(second.body).toEqual(first.body);
    expect(t.database.queries).toHaveLength(0);
    const raw = await t.redis.send("GET", [`${t.config.REDIS_PREFIX}:menu:2:items`]);
    expect(String(raw)).toContain('"restaurantId":2');
  });

  it("tags the menu with an ETag and answers If-None-Match with an empty 304", async () => {
    const res = await t.request("/v1/restaurants/1/menu");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await t.request("/v1/restaurants/1/menu", { headers: { "if-none-match": `W/${etag}, "x"` } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const stale = await t.request("/v1/restaurants/1/menu", { headers: { "if-none-match": '"old"' } });
    expect(stale.status).toBe(200);
  });

  it("keeps each branch's menu apart and changes the ETag when the menu changes", async () => {
    const branches = (await t.call("GET", "/v1/restaurants/1")).body.branches as Array<{ id: number }>;
    const [a, b] = [branches[0]!.id, branches[1]!.id];
    const menuA = await t.request(`/v1/restaurants/1/menu?branchId=${a}`);
    const menuB = await t.request(`/v1/restaurants/1/menu?branchId=${b}`);
    expect((await menuA.json()).branchId).toBe(a);
    expect((await menuB.json()).branchId).toBe(b);
    const before = menuA.headers.get("etag");
    await t.db
      .update(menuItems)
      .set({ priceCents: sql`${menuItems.priceCents} + 1` })
      .where(and(eq(menuItems.restaurantId, 1), isNull(menuItems.branchId)));
    await cacheBeside(t).invalidateMenu(1);
    const after = await t.request(`/v1/restaurants/1/menu?branchId=${a}`, {
      headers: { "if-none-match": before ?? "" },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
  });

  it("shows a config change on the next read", async () => {
    const owner = tokens.owner;
    const before = await t.call("GET", "/v1/restaurants/1/config", { token: owner });
    const cached = await t.call("GET", "/v1/restaurants/1/config", { token: owner });
    expect(cached.headers.get("x-cache")).toBe("hit");
    const put = await t.call("PUT", "/v1/restaurants/1/config", {
      token: owner,
      body: { ...before.body.config, prepTimeMinutes: before.body.config.prepTimeMinutes + 1 },
    });
    expect(put.status).toBe(200);
    const after = await t.call("GET", "/v1/restaurants/1/config", { token: owner });
    expect(after.body.config.prepTimeMinutes).toBe(before.body.config.prepTimeMinutes + 1);
  });

  it("shows loyalty changes and categories once they are invalidated", async () => {
    const rules = await t.call("GET", "/v1/restaurants/3/loyalty-rules");
    await t.db.update(loyaltyRules).set({ active: false }).where(eq(loyaltyRules.restaurantId, 3));
    expect((await t.call("GET", "/v1/restaurants/3/loyalty-rules")).body).toEqual(rules.body);
    await cacheBeside(t).invalidate("loyalty_rules", 3);
    expect((await t.call("GET", "/v1/restaurants/3/loyalty-rules")).body.rules).toEqual([]);
    const categories = await t.call("GET", "/v1/restaurants/3/categories");
    expect(categories.status).toBe(200);
    expect(categories.body.categories.length).toBeGreaterThan(0);
    expect(categories.body.categories[0]).not.toHaveProperty("items");
  });

  it("answers 404 for an unknown restaurant without caching it", async () => {
    expect((await t.call("GET", "/v1/restaurants/424242/menu")).status).toBe(404);
    expect((await t.call("GET", "/v1/restaurants/424242/categories")).status).toBe(404);
  });
});

describe("when Redis is down", () => {
  it.skipIf(notInProcess)("serves every client read from the database instead of failing", async () => {
    const dead = new TcpRedis("redis://127.0.0.1:1");
    const app = createApp({ config: t.config, db: t.db, redis: dead, logger: createLogger("silent") });
    for (const path of ["/v1/restaurants/1", "/v1/restaurants/1/menu", "/v1/restaurants/1/loyalty-rules"]) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-cache")).toBe("fallback");
    }
    const stats = await app.request("/v1/admin/cache/stats", { headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(stats.status).toBe(503);
    expect((await stats.json()).error.code).toBe("cache_unavailable");
    dead.close();
  });
});

describe("cache admin routes", () => {
  it("reports statistics to admins and owners only", async () => {
    await t.call("GET", "/v1/restaurants/2/menu");
    const stats = await t.call("GET", "/v1/admin/cache/stats", { token: tokens.admin });
    expect(stats.status).toBe(200);
    const menu = stats.body.families.find((f: { family: string }) => f.family === "menu_items");
    expect(menu.hits).toBeGreaterThan(0);
    expect(menu.keys).toBeGreaterThan(0);
    expect(stats.body.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect((await t.call("GET", "/v1/admin/cache/stats", { token: tokens.owner2 })).status).toBe(200);
    expect((await t.call("GET", "/v1/admin/cache/stats", { token: tokens.manager })).status).toBe(403);
    expect((await t.call("GET", "/v1/admin/cache/stats")).status).toBe(401);
  });

  it.skipIf(notInProcess)("warms one restaurant for its owner and every restaurant for admins", async () => {
    const own = await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.owner, body: { restaurantId: 1 } });
    expect(own.status).toBe(200);
    const branchCount = (await t.call("GET", "/v1/restaurants/1")).body.branches.length;
    expect(own.body).toEqual({ restaurants: [1], entries: 4 + branchCount });
    t.database.resetQueryCount();
    const menu = await t.call("GET", "/v1/restaurants/1/menu");
    expect(menu.headers.get("x-cache")).toBe("hit");
    expect(t.database.queries).toHaveLength(0);

    expect((await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.owner, body: {} })).status).toBe(403);
    expect(
      (await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.owner, body: { restaurantId: 2 } })).status,
    ).toBe(404);
    expect(
      (await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.manager, body: { restaurantId: 1 } })).status,
    ).toBe(403);
    const active = await t.db.select({ id: restaurants.id }).from(restaurants).where(eq(restaurants.active, true));
    const all = await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.admin, body: {} });
    expect(all.body.restaurants).toEqual(active.map((r) => r.id).sort((x, y) => x - y));
    expect(
      (await t.call("POST", "/v1/admin/cache/warm-up", { token: tokens.admin, body: { restaurantId: 4 } })).status,
    ).toBe(404);
  });

  it("invalidates by family and by restaurant, with the right people only", async () => {
    await t.call("GET", "/v1/restaurants/1/menu");
    await t.call("GET", "/v1/restaurants/1/loyalty-rules");
    const byFamily = await t.call("POST", "/v1/admin/cache/invalidate", {
      token: tokens.owner,
      body: { restaurantId: 1, family: "menu_items" },
    });
    expect(byFamily.body).toEqual({ restaurantId: 1, family: "menu_items" });
    expect((await t.call("GET", "/v1/restaurants/1/menu")).headers.get("x-cache")).toBe("miss");
    expect((await t.call("GET", "/v1/restaurants/1/loyalty-rules")).headers.get("x-cache")).toBe("hit");

    await t.call("POST", "/v1/admin/cache/invalidate", { token: tokens.owner, body: { restaurantId: 1 } });
    expect((await t.call("GET", "/v1/restaurants/1/loyalty-rules")).headers.get("x-cache")).toBe("miss");

    const denied = await t.call("POST", "/v1/admin/cache/invalidate", {
      token: tokens.owner,
      body: { family: "menu_items" },
    });
    expect(denied.status).toBe(403);
    await t.call("GET", "/v1/restaurants/2/menu");
    const global = await t.call("POST", "/v1/admin/cache/invalidate", {
      token: tokens.admin,
      body: { family: "menu_items" },
    });
    expect(global.status).toBe(200);
    expect((await t.call("GET", "/v1/restaurants/2/menu")).headers.get("x-cache")).toBe("miss");

    const bad = await t.call("POST", "/v1/admin/cache/invalidate", {
      token: tokens.admin,
      body: { family: "everything" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_error");
  });

  it("documents the cache, analytics and order routes and the ETag in the OpenAPI document", async () => {
    const doc = (await t.call("GET", "/openapi.json")).body;
    for (const path of [
      "/v1/admin/cache/stats",
      "/v1/admin/cache/warm-up",
      "/v1/admin/cache/invalidate",
      "/v1/restaurants/{id}/categories",
      "/v1/restaurants/{id}/analytics/{metric}",
      "/v1/restaurants/{id}/orders",
      "/v1/restaurants/{id}/orders/export",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths["/v1/admin/cache/stats"].get.responses["200"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/CacheStats",
    );
    const menu = doc.paths["/v1/restaurants/{id}/menu"].get.responses;
    expect(menu["304"].description).toContain("If-None-Match");
    expect(menu["304"].content).toBeUndefined();
    expect(menu["200"].headers.ETag.schema).toEqual({ type: "string" });
    expect(menu["200"].headers.ETag.description).toContain("If-None-Match");
  });
});
