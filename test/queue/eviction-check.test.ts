import { expect, it } from "bun:test";
import { checkEvictionPolicy } from "../../src/queue/eviction-check";
import type { QueueLogger } from "../../src/queue/logger";
import { testRedis } from "../support/redis";

function capturingLogger(lines: string[]): QueueLogger {
  const push = (message: string) => void lines.push(message);
  return { debug: push, info: push, warn: push, error: push };
}

it("warns when Redis may evict queue keys, and stays quiet with noeviction", async () => {
  const redis = await testRedis();
  const original = String(
    ((await redis.send("CONFIG", ["GET", "maxmemory-policy"])) as Record<string, string>)["maxmemory-policy"],
  );
  try {
    const quiet: string[] = [];
    await redis.send("CONFIG", ["SET", "maxmemory-policy", "noeviction"]);
    expect(await checkEvictionPolicy(redis, capturingLogger(quiet))).toBe("noeviction");
    expect(quiet).toEqual([]);

    const warned: string[] = [];
    // With no maxmemory limit set, the policy never triggers, so other tests are unaffected.
    await redis.send("CONFIG", ["SET", "maxmemory-policy", "allkeys-lru"]);
    expect(await checkEvictionPolicy(redis, capturingLogger(warned))).toBe("allkeys-lru");
    expect(warned.join("\n")).toContain("not noeviction");
  } finally {
    await redis.send("CONFIG", ["SET", "maxmemory-policy", original]);
    redis.close();
  }
});
