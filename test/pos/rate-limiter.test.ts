import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PosRetryableError } from "../../src/pos/errors";
import { posKeys } from "../../src/pos/pos-keys";
import { connectionRateLimit, PosRateLimiter } from "../../src/pos/rate-limiter";
import type { RedisConnection } from "../../src/redis/types";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

let redis: RedisConnection;
const prefix = uniquePrefix("ratelimit");
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.close();
});

const limiter = (restaurantId: number, perSecond: number, burst: number, maxWaitMs: number) =>
  new PosRateLimiter({ redis, prefix, restaurantId, posType: "square", limit: { perSecond, burst }, maxWaitMs });

describe("a POS connection's rate limit", () => {
  it("grants a burst at once, then reserves tokens in order at the configured rate", async () => {
    const a = limiter(1, 10, 3, 1_000);
    const decisions = await Promise.all(Array.from({ length: 6 }, () => a.take()));
    expect(decisions.every((d) => d.granted)).toBe(true);
    const waits = decisions.map((d) => d.waitMs).sort((x, y) => x - y);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    // Tokens 4, 5, 6 come 100, 200, 300 ms later (10 a second), give or take the script's own time.
    expect(waits[3]).toBeGreaterThan(50);
    expect(waits[5]).toBeGreaterThan(waits[4]!);
    expect(waits[5]).toBeLessThanOrEqual(300);
  });

  it("is shared by every limiter of the same connection and separate per connection", async () => {
    const worker1 = limiter(2, 1, 1, 0);
    const worker2 = limiter(2, 1, 1, 0);
    const other = limiter(3, 1, 1, 0);
    expect((await worker1.take()).granted).toBe(true);
    const refused = await worker2.take();
    expect(refused).toMatchObject({ granted: false, why: "bucket" });
    expect(refused.waitMs).toBeGreaterThan(500);
    expect((await other.take()).granted).toBe(true);
  });

  it("refuses a wait longer than the caller accepts with a rate_limited error saying how long", async () => {
    const a = limiter(4, 1, 1, 100);
    await a.acquire();
    const error = await a.acquire().catch((e) => e);
    expect(error).toBeInstanceOf(PosRetryableError);
    expect(error).toMatchObject({ reason: "rate_limited" });
    expect(error.retryAfterMs).toBeGreaterThan(100);
  });

  it("pauses the connection for every worker after a 429, and only that connection", async () => {
    const a = limiter(5, 100, 100, 10_000);
    await a.pause(1_500);
    const paused = await limiter(5, 100, 100, 10_000).take();
    expect(paused).toMatchObject({ granted: false, why: "paused" });
    expect(paused.waitMs).toBeGreaterThan(1_000);
    expect((await limiter(6, 100, 100, 0).take()).granted).toBe(true);
    const ttl = Number(await redis.send("PTTL", [posKeys(prefix).rateLimit(5, "square")]));
    expect(ttl).toBeGreaterThan(1_500);
  });

  it("takes a connection's own limit over its vendor's default", () => {
    const defaults = { square: 10, toast: 5, local: 20 };
    expect(connectionRateLimit(defaults, { posType: "toast" })).toEqual({ perSecond: 5, burst: 5 });
    expect(connectionRateLimit(defaults, { posType: "square", rateLimitPerSecond: 3, rateLimitBurst: 9 })).toEqual({
      perSecond: 3,
      burst: 9,
    });
  });
});
