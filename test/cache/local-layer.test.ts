import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cacheEntries } from "../../src/cache/cache-keys";
import { CachingService } from "../../src/cache/caching-service";
import { createLogger } from "../../src/logger";
import type { RedisCommand, RedisConnection } from "../../src/redis/types";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

const logger = createLogger("silent");
let redisA: RedisConnection;
let redisB: RedisConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  redisA = await testRedis();
  redisB = await testRedis();
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(redisA, prefix);
  redisA.close();
  redisB.close();
});

/** Counts the commands a connection sends, by name, pipelines included. */
function counting(redis: RedisConnection) {
  const sent = new Map<string, number>();
  const note = (command: string) => sent.set(command, (sent.get(command) ?? 0) + 1);
  const wrapped: RedisConnection = {
    kind: redis.kind,
    send: (command, args) => {
      note(command);
      return redis.send(command, args);
    },
    pipeline: (commands: readonly RedisCommand[]) => {
      for (const [command] of commands) note(command);
      return redis.pipeline(commands);
    },
    duplicate: () => redis.duplicate(),
    close: () => redis.close(),
  };
  return { redis: wrapped, sent };
}

/** Two API instances' caches: own connections, one prefix; and the "database" they load from. */
function twoInstances() {
  const prefix = uniquePrefix("l1");
  prefixes.push(prefix);
  const a = counting(redisA);
  const b = counting(redisB);
  const world = { version: 1, loads: 0 };
  const load = async () => {
    world.loads += 1;
    return { version: world.version, padding: "x".repeat(2000) };
  };
  return {
    a: new CachingService(a.redis, logger, { prefix }),
    b: new CachingService(b.redis, logger, { prefix }),
    sentByB: b.sent,
    world,
    load,
  };
}

const versionOf = (json: string) => (JSON.parse(json) as { version: number }).version;

describe("the in-process layer", () => {
  it("serves a value it holds without fetching it from Redis again", async () => {
    const { b, sentByB, load } = twoInstances();
    const entry = cacheEntries.menuItems(1);
    expect((await b.remember(entry, load)).source).toBe("miss");
    expect((await b.remember(entry, load)).source).toBe("hit");
    const getsBefore = sentByB.get("GET") ?? 0;
    for (let i = 0; i < 10; i += 1) expect((await b.remember(entry, load)).source).toBe("hit");
    expect(sentByB.get("GET") ?? 0).toBe(getsBefore);
  });

  it("shows a write made through one instance on the other's next read", async () => {
    const { a, b, world, load } = twoInstances();
    const entry = cacheEntries.menuItems(7);
    for (const cache of [a, b, a, b]) expect(versionOf((await cache.remember(entry, load)).json)).toBe(1);
    for (let write = 2; write <= 5; write += 1) {
      world.version = write;
      await (write % 2 ? b : a).invalidateMenu(7);
      expect(versionOf((await b.remember(entry, load)).json)).toBe(write);
      expect(versionOf((await a.remember(entry, load)).json)).toBe(write);
    }
  });

  it("never answers a read that began after a write with a generation read sent before it", async () => {
    const { a, b, world, load } = twoInstances();
    const entry = cacheEntries.restaurantConfig(3);
    await b.remember(entry, load);
    await b.remember(entry, load);
    for (let write = 2; write <= 20; write += 1) {
      // Reads already under way on B while A writes: they may see either version.
      const during = Array.from({ length: 8 }, () => b.remember(entry, load));
      world.version = write;
      await a.invalidate("restaurant_config", 3);
      const after = await Promise.all(Array.from({ length: 8 }, () => b.remember(entry, load)));
      for (const read of after) expect(versionOf(read.json)).toBe(write);
      for (const read of await Promise.all(during)) expect(versionOf(read.json)).toBeGreaterThanOrEqual(write - 1);
    }
  });

  it("shares one generation read among concurrent hits", async () => {
    const { b, sentByB, load } = twoInstances();
    const entry = cacheEntries.menuItems(9);
    await b.remember(entry, load);
    await b.remember(entry, load);
    const before = sentByB.get("HGETALL") ?? 0;
    const reads = await Promise.all(Array.from({ length: 50 }, () => b.remember(entry, load)));
    expect(reads.every((r) => r.source === "hit")).toBe(true);
    // Two hashes a read; at most the one under way and the one queued behind it.
    expect((sentByB.get("HGETALL") ?? 0) - before).toBeLessThanOrEqual(4);
  });

  it("is bypassed when Redis cannot confirm the stamp", async () => {
    const prefix = uniquePrefix("l1down");
    prefixes.push(prefix);
    const connection = await testRedis();
    const cache = new CachingService(connection, logger, { prefix, retryAfterMs: 60_000 });
    let loads = 0;
    const load = async () => ({ loads: ++loads });
    await cache.remember(cacheEntries.menuItems(1), load);
    expect((await cache.remember(cacheEntries.menuItems(1), load)).source).toBe("hit");
    connection.close();
    const down = await cache.remember(cacheEntries.menuItems(1), load);
    expect(down.source).toBe("fallback");
    expect(loads).toBe(2);
  });
});
