import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cacheEntries } from "../../src/cache/cache-keys";
import { CachingService } from "../../src/cache/caching-service";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { connectTcpRedis, TcpRedis } from "../../src/redis/tcp";
import type { RedisConnection } from "../../src/redis/types";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { startTcpProxy } from "../support/tcp-proxy";

const logger = createLogger("silent");
let redis: RedisConnection;
let other: RedisConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = await testRedis();
  other = await testRedis();
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  redis.close();
  other.close();
});

function freshCache(connection = redis, prefix = uniquePrefix("cache")) {
  prefixes.push(prefix);
  return { cache: new CachingService(connection, logger, { prefix }), prefix };
}

/** A loader that counts its calls and can be slowed down. */
function counted<T>(value: () => T, delayMs = 0) {
  const loader = async () => {
    loader.calls += 1;
    if (delayMs) await Bun.sleep(delayMs);
    return value();
  };
  loader.calls = 0;
  return loader;
}

describe("CachingService", () => {
  it("computes on a miss, then serves the stored JSON under the family's TTL", async () => {
    const { cache, prefix } = freshCache();
    const load = counted(() => ({ items: [1, 2, 3] }));
    const first = await cache.remember(cacheEntries.menuItems(1), load);
    const second = await cache.remember(cacheEntries.menuItems(1), load);
    expect(first.source).toBe("miss");
    expect(second.source).toBe("hit");
    expect(second.json).toBe('{"items":[1,2,3]}');
    expect(second.etag).toBe(first.etag);
    expect(load.calls).toBe(1);
    const ttl = Number(await redis.send("TTL", [`${prefix}:menu:1:items`]));
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    expect(Number(await redis.send("TTL", [`${prefix}:menu:1:items`]))).toBeGreaterThan(0);
    await cache.remember(cacheEntries.loyaltyRules(1), load);
    expect(Number(await redis.send("TTL", [`${prefix}:loyalty:1:rules`]))).toBeGreaterThan(7190);
  });

  it("lets concurrent misses in one process share one computation", async () => {
    const { cache } = freshCache();
    const load = counted(() => ({ n: 1 }), 50);
    const reads = await Promise.all(Array.from({ length: 25 }, () => cache.remember(cacheEntries.categories(1), load)));
    expect(load.calls).toBe(1);
    expect(new Set(reads.map((r) => r.json)).size).toBe(1);
  });

  it("makes another instance wait for the one computing instead of computing too", async () => {
    // A slow answer on a loaded machine must not count as Redis being down here (both instances
    // would then compute, by design): this test is about the lock, not the timeout.
    const prefix = uniquePrefix("cache");
    prefixes.push(prefix);
    const a = new CachingService(redis, logger, { prefix, redisTimeoutMs: 10_000 });
    const b = new CachingService(other, logger, { prefix, redisTimeoutMs: 10_000 });
    const load = counted(() => ({ n: 2 }), 150);
    const [fromA, fromB] = await Promise.all([
      a.remember(cacheEntries.restaurantInfo(7), load),
      // B asks once A holds the lock and is computing (a fixed 20 ms head start was not always
      // enough for A's lock round trip on a loaded cluster).
      (async () => {
        while (load.calls === 0) await Bun.sleep(2);
        return b.remember(cacheEntries.restaurantInfo(7), load);
      })(),
    ]);
    expect(load.calls).toBe(1);
    expect(fromA.source).toBe("miss");
    expect(fromB.source).toBe("hit");
    expect(fromB.json).toBe(fromA.json);
  });

  it("invalidates one family of one restaurant and nothing else", async () => {
    const { cache } = freshCache();
    let version = 1;
    const load = counted(() => ({ version }));
    await cache.remember(cacheEntries.menuItems(1), load);
    await cache.remember(cacheEntries.menuItems(2), load);
    await cache.remember(cacheEntries.loyaltyRules(1), load);
    version = 2;
    await cache.invalidate("menu_items", 1);
    expect((await cache.remember(cacheEntries.menuItems(1), load)).json).toBe('{"version":2}');
    expect((await cache.remember(cacheEntries.menuItems(2), load)).source).toBe("hit");
    expect((await cache.remember(cacheEntries.loyaltyRules(1), load)).json).toBe('{"version":1}');
  });

  it("invalidates a whole restaurant, a family everywhere, and every branch's menu", async () => {
    const { cache } = freshCache();
    const load = counted(() => ({ at: Date.now() }));
    const entries = [
      cacheEntries.menuItems(1),
      cacheEntries.menuItems(1, 11),
      cacheEntries.categories(1),
      cacheEntries.restaurantConfig(1),
      cacheEntries.restaurantConfig(2),
    ];
    for (const entry of entries) await cache.remember(entry, load);
    await cache.invalidateMenu(1);
    const afterMenu = await Promise.all(entries.map((e) => cache.remember(e, load)));
    expect(afterMenu.map((r) => r.source)).toEqual(["miss", "miss", "miss", "hit", "hit"]);
    await cache.invalidateRestaurant(1);
    const afterRestaurant = await Promise.all(entries.map((e) => cache.remember(e, load)));
    expect(afterRestaurant.map((r) => r.source)).toEqual(["miss", "miss", "miss", "miss", "hit"]);
    await cache.invalidate("restaurant_config");
    expect((await cache.remember(cacheEntries.restaurantConfig(2), load)).source).toBe("miss");
    await cache.invalidateAll();
    const afterAll = await Promise.all(entries.map((e) => cache.remember(e, load)));
    expect(afterAll.every((r) => r.source === "miss")).toBe(true);
  });

  it("does not serve a value computed from data that changed while it was computing", async () => {
    const { cache } = freshCache();
    let version = 1;
    const slow = async () => {
      const seen = version;
      await Bun.sleep(80);
      return { version: seen };
    };
    const inFlight = cache.remember(cacheEntries.restaurantConfig(3), slow);
    await Bun.sleep(20);
    version = 2;
    await cache.invalidate("restaurant_config", 3);
    expect((await inFlight).json).toBe('{"version":1}');
    const next = await cache.remember(cacheEntries.restaurantConfig(3), slow);
    expect(next.source).toBe("miss");
    expect(next.json).toBe('{"version":2}');
  });

  it("stops waiting for another instance as soon as its computation fails", async () => {
    const { cache: a, prefix } = freshCache();
    const b = new CachingService(other, logger, { prefix });
    const failing = async () => {
      await Bun.sleep(100);
      throw new Error("restaurant not found");
    };
    const load = counted(() => ({ ok: true }));
    const started = performance.now();
    const [first, second] = await Promise.allSettled([
      a.remember(cacheEntries.restaurantInfo(8), failing),
      Bun.sleep(20).then(() => b.remember(cacheEntries.restaurantInfo(8), load)),
    ]);
    expect(first.status).toBe("rejected");
    expect(second.status).toBe("fulfilled");
    expect(load.calls).toBe(1);
    // Well under the 2 s an instance would otherwise wait for the lock holder.
    expect(performance.now() - started).toBeLessThan(800);
  });

  it("passes loader errors through and caches nothing for them", async () => {
    const { cache } = freshCache();
    const failing = async () => {
      throw new Error("restaurant not found");
    };
    await expect(cache.remember(cacheEntries.restaurantInfo(404), failing)).rejects.toThrow("restaurant not found");
    const load = counted(() => ({ ok: true }));
    expect((await cache.remember(cacheEntries.restaurantInfo(404), load)).source).toBe("miss");
  });

  it("reports hits, misses, hit rate and live keys per family, and Redis memory", async () => {
    const { cache } = freshCache();
    const load = counted(() => ({ ok: true }));
    for (let i = 0; i < 4; i += 1) await cache.remember(cacheEntries.menuItems(1), load);
    await cache.remember(cacheEntries.menuItems(2), load);
    await cache.remember(cacheEntries.analytics("orders", 1, "2026-10-01_2026-10-31"), load);
    const stats = await cache.stats();
    const menu = stats.families.find((f) => f.family === "menu_items");
    expect(menu).toMatchObject({ hits: 3, misses: 2, hitRate: 0.6, keys: 2, ttlSeconds: 1800 });
    expect(stats.families.find((f) => f.family === "analytics")).toMatchObject({ misses: 1, keys: 1, ttlSeconds: 600 });
    expect(stats.totals).toMatchObject({ hits: 3, misses: 3, keys: 3 });
    expect(stats.redis.usedMemoryBytes).toBeGreaterThan(0);
  });
});

describe("CachingService without Redis", () => {
  it("serves from the loader when Redis does not answer, and counts the fallbacks", async () => {
    const dead = new TcpRedis("redis://127.0.0.1:1");
    const { cache } = freshCache(dead);
    const load = counted(() => ({ from: "database" }));
    const started = performance.now();
    const reads = [];
    for (let i = 0; i < 5; i += 1) reads.push(await cache.remember(cacheEntries.menuItems(1), load));
    expect(reads.every((r) => r.source === "fallback" && r.json === '{"from":"database"}')).toBe(true);
    expect(load.calls).toBe(5);
    // One timeout at most, then Redis is skipped rather than waited for on every read.
    expect(performance.now() - started).toBeLessThan(1000);
    await cache.invalidateMenu(1);
    await expect(cache.stats()).rejects.toMatchObject({ status: 503, code: "cache_unavailable" });
    await expect(cache.refresh(cacheEntries.menuItems(1), load)).rejects.toMatchObject({ status: 503 });
    dead.close();
  });

  it("fails an invalidation it cannot apply when set to throw (workers, the edge)", async () => {
    const dead = new TcpRedis("redis://127.0.0.1:1");
    const cache = new CachingService(dead, logger, { prefix: uniquePrefix("cache"), onInvalidationFailure: "throw" });
    await expect(cache.invalidateMenu(1)).rejects.toMatchObject({ status: 503, code: "cache_unavailable" });
    dead.close();
  });

  it("falls back when the client is closed under it", async () => {
    const connection = await testRedis();
    const { cache } = freshCache(connection);
    const load = counted(() => ({ ok: true }));
    await cache.remember(cacheEntries.categories(5), load);
    connection.close();
    expect((await cache.remember(cacheEntries.categories(5), load)).source).toBe("fallback");
  });

  it("keeps an invalidation made during an outage and applies it before serving again", async () => {
    const target = new URL(loadConfig().REDIS_URL ?? "");
    const proxy = await startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
    const connection = await connectTcpRedis(proxy.url);
    const { cache } = freshCache(connection);
    let version = 1;
    const load = counted(() => ({ version }));
    await cache.remember(cacheEntries.loyaltyRules(5), load);

    proxy.down();
    version = 2;
    expect((await cache.remember(cacheEntries.loyaltyRules(5), load)).source).toBe("fallback");
    await cache.invalidate("loyalty_rules", 5);

    await proxy.up();
    const deadline = Date.now() + 8000;
    let read = await cache.remember(cacheEntries.loyaltyRules(5), load);
    while (read.source === "fallback" && Date.now() < deadline) {
      await Bun.sleep(100);
      read = await cache.remember(cacheEntries.loyaltyRules(5), load);
    }
    expect(read.source).toBe("miss");
    expect(read.json).toBe('{"version":2}');
    connection.close();
    proxy.down();
  }, 15_000);
});
