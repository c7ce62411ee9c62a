import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, count, eq, isNull } from "drizzle-orm";
import { menuItems, orders } from "../../db/schema";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { RateLimiter } from "../../src/rate-limit/rate-limiter";
import { hashedPart } from "../../src/redis/key-slot";
import { RestRedis } from "../../src/redis/rest";
import { TcpRedis } from "../../src/redis/tcp";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import { createTestApp, notInProcess, type TestApp } from "../support/app";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

let t: TestApp;
let customer: string;
let owner: string;
let admin: string;
let order: () => Record<string, unknown>;

beforeAll(async () => {
  t = await createTestApp({
    settings: {
      CLIENT_IP_HEADER: "x-forwarded-for",
      RATE_LIMIT_AUTH_FAILURES: "3/60",
      RATE_LIMIT_ORDERS: "2/60",
      RATE_LIMIT_PAYMENTS: "2/60",
      RATE_LIMIT_WEBHOOKS: "3/60",
      RATE_LIMIT_MONITORING_WRITES: "2/60",
    },
  });
  customer = await t.tokenFor("customer@demo.test");
  owner = await t.tokenFor("owner@demo.test");
  admin = await t.tokenFor("admin@demo.test");
  const branchId = (await t.call("GET", "/v1/restaurants/1")).body.branches[0].id;
  const [item] = await t.db
    .select({ id: menuItems.id })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, 1), eq(menuItems.available, true), isNull(menuItems.branchId)))
    .limit(1);
  order = () => ({ restaurantId: 1, branchId, type: "pickup", items: [{ menuItemId: item!.id, quantity: 1 }] });
}, 120_000);
afterAll(() => t.close());

let keys = 0;
const idempotencyKey = () => `rate-limit-${Date.now()}-${++keys}`;
const from = (ip: string) => ({ "x-forwarded-for": `198.51.100.7, ${ip}` });

/** The 429 every limit answers with, and its headers. */
function expectLimited(res: { status: number; headers: Headers; body: { error: { code: string } } }, name: string) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("rate_limited");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get("ratelimit-policy")).toMatch(new RegExp(`^"${name}";q=\\d+;w=60$`));
  expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"${name}";r=0;t=\\d+$`));
}

describe("failed authentication, per client address", () => {
  it("answers 429 after the quota of bad tokens, for that address only, and never for a good token", async () => {
    const bad = (ip: string) => t.call("GET", "/v1/me", { token: "not.a.token", headers: from(ip) });
    for (let i = 0; i < 3; i += 1) {
      const res = await bad("203.0.113.10");
      expect(res.status).toBe(401);
      expect(res.headers.get("ratelimit")).toBe(
        `"auth-failures";r=${2 - i};t=${res.headers.get("ratelimit")?.split("t=")[1]}`,
      );
    }
    expectLimited(await bad("203.0.113.10"), "auth-failures");
    // Another address is not affected; nor is a request without any token, nor a good token.
    expect((await bad("203.0.113.11")).status).toBe(401);
    expect((await t.call("GET", "/v1/me", { headers: from("203.0.113.10") })).status).toBe(401);
    expect((await t.call("GET", "/v1/me", { token: owner, headers: from("203.0.113.10") })).status).toBe(200);
  });
});

describe("order and payment creation, per user", () => {
  it("lets a customer place orders up to the limit, then answers 429 and creates nothing", async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await t.call("POST", "/v1/orders", {
        token: customer,
        headers: { "idempotency-key": idempotencyKey() },
        body: order(),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("ratelimit-policy")).toBe('"orders";q=2;w=60');
    }
    const [before] = await t.db.select({ n: count() }).from(orders);
    const limited = await t.call("POST", "/v1/orders", {
      token: customer,
      headers: { "idempotency-key": idempotencyKey() },
      body: order(),
    });
    expectLimited(limited, "orders");
    expect((await t.db.select({ n: count() }).from(orders))[0]!.n).toBe(before!.n);
    // Another user has a quota of their own.
    const other = await t.call("POST", "/v1/orders", {
      token: owner,
      headers: { "idempotency-key": idempotencyKey() },
      body: order(),
    });
    expect(other.status).toBe(201);
  });

  it("counts payment attempts per user, before their body is even read", async () => {
    const pay = () =>
      t.call("POST", "/v1/orders/1/payments", {
        token: owner,
        headers: { "idempotency-key": idempotencyKey() },
        body: { nonsense: true },
      });
    expect((await pay()).status).toBe(400);
    expect((await pay()).status).toBe(400);
    expectLimited(await pay(), "payments");
  });
});

describe("webhooks, per source", () => {
  it("answers 429 to a source past its quota, whatever its signatures", async () => {
    const post = (ip: string) =>
      t.request("/v1/webhooks/pos/local", {
        method: "POST",
        headers: { "content-type": "application/json", ...from(ip) },
        body: JSON.stringify({ id: "evt-1", type: "order.updated" }),
      });
    for (let i = 0; i < 3; i += 1) expect((await post("192.0.2.1")).status).toBe(401);
    const limited = await post("192.0.2.1");
    expectLimited({ status: limited.status, headers: limited.headers, body: await limited.json() }, "webhooks");
    expect((await post("192.0.2.2")).status).toBe(401);
  });
});

describe("monitoring writes, per user", () => {
  it("answers 429 past the quota of queue and cache management writes, and leaves reads alone", async () => {
    const retry = () => t.call("POST", "/v1/admin/queues/failed/999999999/retry", { token: admin });
    expect((await retry()).status).toBe(404);
    expect((await retry()).status).toBe(404);
    expectLimited(await retry(), "monitoring-writes");
    const invalidate = await t.call("POST", "/v1/admin/cache/invalidate", { token: admin, body: { restaurantId: 1 } });
    expectLimited(invalidate, "monitoring-writes");
    expect((await t.call("GET", "/v1/admin/queues", { token: admin })).status).toBe(200);
  });
});

describe("the limiter", () => {
  const policy = { name: "shared", limit: 3, windowSeconds: 60 };

  it("shares one count between API instances, over TCP and over Upstash REST alike", async () => {
    const prefix = uniquePrefix("rl");
    const tcp = await testRedis();
    const other = await testRedis();
    const rest = await startUpstashRestServer({ redisUrl: t.config.REDIS_URL!, token: "rl-token" });
    const restRedis = new RestRedis({ url: rest.url, token: "rl-token" });
    try {
      const logger = createLogger("silent");
      const instances = [tcp, other, restRedis].map((redis) => new RateLimiter({ redis, prefix, logger }));
      const decisions = [];
      for (const limiter of instances) decisions.push(await limiter.take(policy, "user:1"));
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
      ]);
      const fourth = await instances[2]!.take(policy, "user:1");
      expect(fourth.allowed).toBe(false);
      expect(fourth.degraded).toBe(false);
      expect(fourth.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // Looking does not take: a peek leaves the count where it was.
      expect((await instances[0]!.peek(policy, "user:2")).remaining).toBe(3);
      expect((await instances[0]!.peek(policy, "user:2")).remaining).toBe(3);
    } finally {
      await deleteKeys(tcp, prefix);
      tcp.close();
      other.close();
      await rest.stop();
    }
  });

  it("keeps every key in one hash slot of its own, whatever the client sent", () => {
    const limiter = new RateLimiter({
      redis: new TcpRedis("redis://127.0.0.1:1"),
      prefix: "fh",
      logger: createLogger("silent"),
    });
    const key = limiter.key(policy, "ip:1.2.3.4}{evil");
    expect(key).toBe("fh:rl:{shared:ip:1.2.3.4__evil}");
    expect(hashedPart(key)).toBe("shared:ip:1.2.3.4__evil");
  });

  it("lets requests through within its budget when Redis is unreachable", async () => {
    const dead = new TcpRedis("redis://127.0.0.1:1");
    const limiter = new RateLimiter({ redis: dead, prefix: "fh", logger: createLogger("silent"), timeoutMs: 200 });
    const started = performance.now();
    const decision = await limiter.take({ ...policy, limit: 1 }, "user:1");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(decision).toMatchObject({ allowed: true, degraded: true });
    expect((await limiter.take({ ...policy, limit: 1 }, "user:1")).allowed).toBe(true);
    dead.close();
  });

  it.skipIf(notInProcess)(
    "never costs an order when Redis is down",
    async () => {
      const dead = new TcpRedis("redis://127.0.0.1:1");
      const app = createApp({ config: t.config, db: t.db, redis: dead, logger: createLogger("silent") });
      for (let i = 0; i < 3; i += 1) {
        const res = await app.request("/v1/orders", {
          method: "POST",
          headers: {
            authorization: `Bearer ${owner}`,
            "content-type": "application/json",
            "idempotency-key": idempotencyKey(),
          },
          body: JSON.stringify(order()),
        });
        expect(res.status).toBe(201);
        expect(res.headers.get("ratelimit")).toBeNull();
      }
      dead.close();
    },
    30_000,
  );
});
