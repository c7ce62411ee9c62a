import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq, isNull, sql } from "drizzle-orm";
import { branches, menuItems } from "../../db/schema";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { fastCachedReads } from "../../src/http/fast-cached-reads";
import type { LogFields, Logger } from "../../src/logger";
import type { RedisConnection } from "../../src/redis/types";
import { createAppServices } from "../../src/services/app-services";
import { type TestDatabase, testDatabase } from "../support/database";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

/** The fast path (src/http/fast-cached-reads.ts) against the Hono route it stands in for (ADR 0032). */

type Line = LogFields & { msg: string };

/** A logger that keeps its lines, so a test can count the access log. */
function keepingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: (msg, fields) => lines.push({ msg, ...fields }),
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  return logger;
}

let database: TestDatabase;
const connections: RedisConnection[] = [];
const prefix = uniquePrefix("fast");
const config = loadConfig({ REDIS_PREFIX: prefix, LOG_LEVEL: "silent" });

/** One API instance: its own Redis connection and services, the fast path in front of its app. */
async function instance() {
  const redis = await testRedis();
  connections.push(redis);
  const lines: Line[] = [];
  const deps = { config, db: database.db, redis, logger: keepingLogger(lines) };
  const services = createAppServices(deps);
  const app = createApp(deps, services);
  const counts = { fellThrough: 0 };
  const fast = fastCachedReads(deps, services, (request, server) => {
    counts.fellThrough += 1;
    return app.fetch(request, server);
  });
  const request = (path: string, init?: RequestInit) => new Request(new URL(path, "http://localhost"), init);
  return {
    services,
    lines,
    counts,
    /** Through the fast path, as `Bun.serve` serves the app. */
    viaFast: (path: string, init?: RequestInit) => Promise.resolve(fast(request(path, init))),
    /** Through Hono alone. */
    viaHono: (path: string, init?: RequestInit) => Promise.resolve(app.fetch(request(path, init))),
  };
}

type Instance = Awaited<ReturnType<typeof instance>>;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  database = await testDatabase();
  a = await instance();
  b = await instance();
}, 120_000);
afterAll(async () => {
  await deleteKeys(connections[0]!, prefix);
  for (const redis of connections) redis.close();
  await database.close();
});

/** Status, body and every header but Date (a request id is compared by sending one). */
async function snapshot(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "date"));
  return { status: response.status, headers, body: await response.text() };
}

/** The same request through the fast path and through Hono; says whether the fast path answered it itself. */
async function both(instance: Instance, path: string, headers: Record<string, string> = {}, method = "GET") {
  const init = { method, headers: { "x-request-id": "fast-path-test", ...headers } };
  const before = instance.counts.fellThrough;
  const fast = await snapshot(await instance.viaFast(path, init));
  const answeredByFastPath = instance.counts.fellThrough === before;
  const hono = await snapshot(await instance.viaHono(path, init));
  return { fast, hono, answeredByFastPath };
}

describe("the fast path for cached public reads", () => {
  it("answers a hit itself, with the status, body and headers of the Hono route", async () => {
    const branch = await database.db.query.branches.findFirst({ where: eq(branches.restaurantId, 1) });
    for (const path of [
      "/v1/restaurants/1/menu",
      `/v1/restaurants/1/menu?branchId=${branch!.id}`,
      "/v1/restaurants/1",
      "/v1/restaurants/1/categories",
      "/v1/restaurants/1/loyalty-rules",
    ]) {
      await a.viaHono(path);
      const { fast, hono, answeredByFastPath } = await both(a, path);
      expect({ path, answeredByFastPath }).toEqual({ path, answeredByFastPath: true });
      expect(fast.status).toBe(200);
      expect(fast.headers["x-cache"]).toBe("hit");
      expect(fast.headers["x-request-id"]).toBe("fast-path-test");
      expect(fast).toEqual(hono);
    }
  });

  it("gives each request its own id when the caller sends none or a bad one", async () => {
    await a.viaHono("/v1/restaurants/1/menu");
    const ids = new Set<string | null>();
    const sent: Array<Record<string, string>> = [{}, {}, { "x-request-id": "not a plain token!" }];
    for (const headers of sent) {
      const before = a.counts.fellThrough;
      const response = await a.viaFast("/v1/restaurants/1/menu", { headers });
      expect(a.counts.fellThrough).toBe(before);
      ids.add(response.headers.get("x-request-id"));
    }
    expect(ids.size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers If-None-Match with the route's 304, and a stale tag with the 200", async () => {
    const etag = (await a.viaHono("/v1/restaurants/1/menu")).headers.get("etag")!;
    const current = await both(a, "/v1/restaurants/1/menu", { "if-none-match": `"x", W/${etag}` });
    expect(current.answeredByFastPath).toBe(true);
    expect(current.fast.status).toBe(304);
    expect(current.fast.body).toBe("");
    expect(current.fast).toEqual(current.hono);
    const stale = await both(a, "/v1/restaurants/1/menu", { "if-none-match": '"old"' });
    expect(stale.answeredByFastPath).toBe(true);
    expect(stale.fast.status).toBe(200);
    expect(stale.fast).toEqual(stale.hono);
  });

  it("hands a first read to the app, then answers the next one itself", async () => {
    const first = await a.viaFast("/v1/restaurants/3/categories");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    const next = await both(a, "/v1/restaurants/3/categories");
    expect(next.answeredByFastPath).toBe(true);
    expect(next.fast.body).toBe(await first.text());
    expect(next.fast).toEqual(next.hono);
  });

  it("leaves bad input, unknown restaurants, HEAD and other spellings to the app, with the same answers", async () => {
    await a.viaHono("/v1/restaurants/1/menu");
    const cases: Array<[path: string, status: number, method?: string]> = [
      ["/v1/restaurants/0/menu", 400],
      ["/v1/restaurants/abc/menu", 400],
      ["/v1/restaurants/-1/menu", 400],
      ["/v1/restaurants/2147483648/menu", 400],
      ["/v1/restaurants/99999999999/menu", 400],
      ["/v1/restaurants/1/menu?branchId=abc", 400],
      ["/v1/restaurants/1/menu?branchId=0", 400],
      ["/v1/restaurants/1/categories?branchId=1", 200],
      ["/v1/restaurants/1/menu?branchId=2147483648", 400],
      ["/v1/restaurants/999999/menu", 404],
      ["/v1/restaurants/999999", 404],
      ["/v1/restaurants/01/menu", 200],
      ["/v1/restaurants/1/menu/", 200],
      ["/v1/restaurants/1/menu?other=1", 200],
      ["/v1/restaurants/%31/menu", 200],
      ["/v1/restaurants/1/menu%00", 400],
      ["/v1/restaurants/1/menu", 200, "HEAD"],
    ];
    for (const [path, status, method] of cases) {
      const { fast, hono, answeredByFastPath } = await both(a, path, {}, method);
      expect({ path, method, answeredByFastPath, status: fast.status }).toEqual({
        path,
        method,
        answeredByFastPath: false,
        status,
      });
      // A miss and then a hit differ in x-cache alone; everything else is the app's answer both times.
      if (fast.headers["x-cache"]) fast.headers["x-cache"] = hono.headers["x-cache"]!;
      expect(fast).toEqual(hono);
    }
  });

  it("counts its answers in the HTTP metrics and the access log as the route does", async () => {
    const path = "/v1/restaurants/2/loyalty-rules";
    const histogram = () =>
      a.services.httpMetrics
        .samples()
        .find((s) => s.labels.route === "/v1/restaurants/:id/loyalty-rules" && s.labels.status === "200");
    const requests = () => histogram()?.buckets.reduce((n, c) => n + c, 0) ?? 0;
    await a.viaHono(path);
    const viaHono = requests();
    expect(viaHono).toBeGreaterThan(0);
    const logged = a.lines.length;
    const fellThrough = a.counts.fellThrough;
    for (let i = 0; i < 5; i += 1) await a.viaFast(path, { headers: { "x-request-id": `fast-${i}` } });
    expect(a.counts.fellThrough).toBe(fellThrough);
    expect(requests()).toBe(viaHono + 5);
    expect(histogram()!.labels).toEqual({ method: "GET", route: "/v1/restaurants/:id/loyalty-rules", status: "200" });
    const lines = a.lines.slice(logged).filter((line) => line.msg === "request");
    expect(lines.map((line) => line.requestId)).toEqual(["fast-0", "fast-1", "fast-2", "fast-3", "fast-4"]);
    // The Hono route's line, field for field (but the timing).
    const start = a.lines.length;
    await a.viaHono(path, { headers: { "x-request-id": "fast-4" } });
    const honoLine = a.lines.slice(start).find((line) => line.msg === "request")!;
    expect({ ...lines[4], ms: 0 }).toEqual({ ...honoLine, ms: 0 });
    expect(typeof lines[4]!.ms).toBe("number");
  });

  it("shows a write made on one instance on the other's next read through its fast path", async () => {
    const price = async () => {
      const response = await b.viaFast("/v1/restaurants/1/menu");
      const menu = (await response.json()) as {
        categories: Array<{ items: Array<{ id: number; priceCents: number }> }>;
      };
      return { cache: response.headers.get("x-cache"), menu };
    };
    const item = await database.db.query.menuItems.findFirst({
      where: and(eq(menuItems.restaurantId, 1), isNull(menuItems.branchId)),
    });
    const priceOf = (menu: Awaited<ReturnType<typeof price>>["menu"]) =>
      menu.categories.flatMap((c) => c.items).find((i) => i.id === item!.id)!.priceCents;
    await price();
    for (let write = 1; write <= 4; write += 1) {
      // B holds the menu in process and answers it on its fast path.
      const before = b.counts.fellThrough;
      const held = await price();
      expect(held.cache).toBe("hit");
      expect(b.counts.fellThrough).toBe(before);
      // A write completes on A...
      await database.db
        .update(menuItems)
        .set({ priceCents: sql`${menuItems.priceCents} + 7` })
        .where(eq(menuItems.id, item!.id));
      await a.services.cache.invalidateMenu(1);
      // ...and B's very next read shows it: its held value is no longer confirmed.
      const next = await price();
      expect(priceOf(next.menu)).toBe(priceOf(held.menu) + 7);
      expect(next.cache).toBe("miss");
    }
  });
});
