import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { count, eq, sql } from "drizzle-orm";
import { orders, posConnections, restaurantMembers, users } from "../../db/schema";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createLogger, type Logger } from "../../src/logger";
import { signPosWebhook } from "../../src/pos/webhook-signatures";
import { createTestApp, notInProcess, type TestApp } from "../support/app";
import { testDatabase } from "../support/database";

let t: TestApp;
let customer: string;
let owner: string;
let owner2: string;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.tokenFor("customer@demo.test");
  owner = await t.tokenFor("owner@demo.test");
  owner2 = await t.tokenFor("owner2@demo.test");
  admin = await t.tokenFor("admin@demo.test");
}, 300_000);
afterAll(() => t?.close());

/** A logger that keeps its lines, to look at what an error left in the log. */
function capturingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: unknown }> } {
  const lines: Array<{ level: string; message: string; fields?: unknown }> = [];
  const logger = {
    lines,
    debug: (message: string, fields?: unknown) => void lines.push({ level: "debug", message, fields }),
    info: (message: string, fields?: unknown) => void lines.push({ level: "info", message, fields }),
    warn: (message: string, fields?: unknown) => void lines.push({ level: "warn", message, fields }),
    error: (message: string, fields?: unknown) => void lines.push({ level: "error", message, fields }),
    child: () => logger,
  };
  return logger as unknown as Logger & { lines: typeof lines };
}

describe("security headers", () => {
  it("are on every response, errors included; no HSTS outside production", async () => {
    for (const [path, status] of [
      ["/healthz", 200],
      ["/v1/nowhere", 404],
      ["/v1/me", 401],
    ] as const) {
      const res = await t.request(path);
      expect(res.status).toBe(status);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("forbid framing the dashboard", async () => {
    const res = await t.request("/dashboard");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("give the HTML pages the document headers, and JSON responses only the API's", async () => {
    const page = await t.request("/dashboard");
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const json = await t.request("/v1/restaurants/1/menu");
    expect(json.status).toBe(200);
    expect(json.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(json.headers.get("x-request-id")).toBeTruthy();
    expect(json.headers.get("cross-origin-opener-policy")).toBeNull();
    expect(json.headers.get("x-xss-protection")).toBeNull();
  });

  it.skipIf(notInProcess)("include HSTS in production", async () => {
    const config = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: "",
      AUTH_JWKS_URL: "http://127.0.0.1:9/jwks",
      AUTH_ISSUER: "https://issuer.test/",
      AUTH_AUDIENCE: "api",
      PUBLIC_BASE_URL: "https://api.example.test",
      REDIS_PREFIX: t.config.REDIS_PREFIX,
    });
    const app = createApp({ config, db: t.db, redis: t.redis, logger: createLogger("silent") });
    const res = await app.request("/healthz");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });
});

describe("X-Request-Id", () => {
  it("keeps a client's id only when it is a plain token of at most 64 characters", async () => {
    const sent = async (id: string) => (await t.request("/healthz", { headers: { "x-request-id": id } })).headers;
    expect((await sent("abc-123_DEF.9")).get("x-request-id")).toBe("abc-123_DEF.9");
    const plain64 = "a".repeat(64);
    expect((await sent(plain64)).get("x-request-id")).toBe(plain64);
    for (const bad of ["a".repeat(65), "id with spaces", "id;drop", "ïd", "a=b", "a/b"]) {
      const id = (await sent(bad)).get("x-request-id");
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("text Postgres refuses", () => {
  it("is a 400 validation_error, in a body or in the URL, and changes nothing", async () => {
    const before = (await t.db.select({ n: count() }).from(orders))[0]!.n;
    const branchId = (await t.call("GET", "/v1/restaurants/1")).body.branches[0].id;
    const res = await t.call("POST", "/v1/orders", {
      token: customer,
      headers: { "idempotency-key": `nul-${Date.now()}` },
      body: { restaurantId: 1, branchId, type: "pickup", items: [{ menuItemId: 1, quantity: 1 }], notes: "a\u0000b" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    const inKey = await t.request("/v1/orders", {
      method: "POST",
      headers: {
        authorization: `Bearer ${customer}`,
        "content-type": "application/json",
        "idempotency-key": "k-12345678",
      },
      body: '{"restaurantId":1,"branchId":1,"type":"pickup","items":[],"n\\u0000":1}',
    });
    expect(inKey.status).toBe(400);
    const inUrl = await t.call("GET", "/v1/restaurants?page=1%00");
    expect(inUrl.status).toBe(400);
    expect(inUrl.body.error.code).toBe("validation_error");
    expect((await t.db.select({ n: count() }).from(orders))[0]!.n).toBe(before);
  });

  it.skipIf(notInProcess)(
    "leaves no query parameter in the error log of a failed query",
    async () => {
      const broken = await testDatabase();
      try {
        // A schema the code no longer matches: the next query about restaurants fails in Postgres.
        await broken.db.execute(sql`alter table restaurants rename column slug to slug_gone`);
        const logger = capturingLogger();
        const app = createApp({ config: t.config, db: broken.db, redis: t.redis, logger });
        const res = await app.request("/v1/restaurants/7777777");
        expect(res.status).toBe(500);
        const errors = logger.lines.filter((line) => line.level === "error");
        expect(errors).toHaveLength(1);
        const logged = JSON.stringify(errors[0]);
        expect(logged).toContain('"query"');
        expect(logged).toContain("$1");
        expect(logged).not.toContain("7777777");
        expect(logged).not.toContain("params");
      } finally {
        await broken.close();
      }
    },
    60_000,
  );
});

describe("/readyz", () => {
  it.skipIf(notInProcess)(
    "answers 503 within 2 s when the database is gone",
    async () => {
      const gone = await testDatabase();
      await gone.close();
      const app = createApp({ config: t.config, db: gone.db, redis: t.redis, logger: createLogger("silent") });
      const started = performance.now();
      const res = await app.request("/readyz");
      expect(performance.now() - started).toBeLessThan(2000);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.checks.database.ok).toBe(false);
      expect(body.checks.redis.ok).toBe(true);
    },
    60_000,
  );
});

describe("cache statistics", () => {
  async function ownRestaurants(email: string): Promise<number[]> {
    const rows = await t.db
      .select({ id: restaurantMembers.restaurantId })
      .from(restaurantMembers)
      .innerJoin(users, eq(users.id, restaurantMembers.userId))
      .where(eq(users.email, email));
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  it("cover only an owner's restaurants; the cache-wide view, memory included, is an admin's", async () => {
    const mine = await ownRestaurants("owner@demo.test");
    const theirs = (await ownRestaurants("owner2@demo.test")).filter((id) => !mine.includes(id));
    expect(theirs.length).toBeGreaterThan(0);
    const stats = async (token: string) => (await t.call("GET", "/v1/admin/cache/stats", { token })).body;
    const before = await stats(owner);
    expect(before.scope).toEqual(mine);
    expect(before.redis.usedMemoryBytes).toBeNull();
    // Reads of another owner's restaurant move their figures and the admin's, never this owner's.
    for (let i = 0; i < 3; i += 1) await t.call("GET", `/v1/restaurants/${theirs[0]}/menu`);
    const after = await stats(owner);
    expect(after.totals).toEqual(before.totals);
    const other = await stats(owner2);
    expect(other.totals.hits + other.totals.misses).toBeGreaterThanOrEqual(3);
    expect(other.totals.keys).toBeGreaterThan(0);
    const all = await stats(admin);
    expect(all.scope).toBe("all");
    expect(all.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect(all.totals.hits + all.totals.misses).toBeGreaterThanOrEqual(other.totals.hits + other.totals.misses);
    // This owner's own reads count for them.
    await t.call("GET", `/v1/restaurants/${mine[0]}/menu`);
    const own = await stats(owner);
    expect(own.totals.hits + own.totals.misses).toBe(before.totals.hits + before.totals.misses + 1);
  });
});

describe("webhooks", () => {
  /** A local POS inventory webhook, signed with the connection's secret. */
  async function localWebhook(storeId: string, secret: string, id: string, createdAt: Date) {
    const rawBody = JSON.stringify({
      id,
      type: "inventory.updated",
      storeId,
      createdAt: createdAt.toISOString(),
      data: { levels: [{ itemId: "item-1", quantity: 4 }] },
    });
    const headers = { "content-type": "application/json", ...(await signPosWebhook("local", { secret, rawBody })) };
    const res = await t.request("/v1/webhooks/pos/local", { method: "POST", headers, body: rawBody });
    return { status: res.status, body: await res.json() };
  }

  it("refuses a genuine delivery whose signed time is older (or later) than the tolerance", async () => {
    const old = await localWebhook(
      "store-3",
      "whsec-demo-local",
      `evt-old-${Date.now()}`,
      new Date(Date.now() - 6 * 60_000),
    );
    expect(old.status).toBe(400);
    expect(old.body.error.code).toBe("stale_webhook");
    const ahead = await localWebhook(
      "store-3",
      "whsec-demo-local",
      `evt-ahead-${Date.now()}`,
      new Date(Date.now() + 6 * 60_000),
    );
    expect(ahead.status).toBe(400);
    // Refused before it was remembered: the same event, sent now, is acted on.
    const id = `evt-late-${Date.now()}`;
    expect((await localWebhook("store-3", "whsec-demo-local", id, new Date(Date.now() - 6 * 60_000))).status).toBe(400);
    const fresh = await localWebhook("store-3", "whsec-demo-local", id, new Date(Date.now() - 60_000));
    expect(fresh.body.status).toBe("accepted");
  });

  it("remembers event ids per POS connection: one connection's id never shadows another's", async () => {
    await t.db
      .insert(posConnections)
      .values({
        restaurantId: 2,
        posType: "local",
        baseUrl: "http://127.0.0.1:9/local",
        locationRef: "store-9",
        credentials: { accessToken: "x" },
        webhookSecret: "whsec-second-local",
      })
      .onConflictDoNothing();
    const id = `evt-shared-${Date.now()}`;
    const first = await localWebhook("store-3", "whsec-demo-local", id, new Date());
    const second = await localWebhook("store-9", "whsec-second-local", id, new Date());
    expect([first.body.status, second.body.status]).toEqual(["accepted", "accepted"]);
    expect((await localWebhook("store-3", "whsec-demo-local", id, new Date())).body.status).toBe("duplicate");
  });
});
