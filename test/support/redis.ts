import { loadConfig } from "../../src/config";
import { connectTcpRedis } from "../../src/redis/tcp";
import type { RedisConnection } from "../../src/redis/types";

let counter = 0;

/** A unique key prefix for one test, so tests never see each other's keys. */
export function uniquePrefix(label = "t"): string {
  counter += 1;
  return `test:${label}:${process.pid}:${Date.now().toString(36)}:${counter}`;
}

/** A connection to the test Redis (the private server, or REDIS_URL). */
export async function testRedis(): Promise<RedisConnection> {
  const url = loadConfig().REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set; the test preload should have set it");
  return connectTcpRedis(url);
}

/** Deletes every key under a prefix (tests only; SCAN is fine here, never on a request path). */
export async function deleteKeys(redis: RedisConnection, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const reply = (await redis.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", 1000])) as [string, string[]];
    cursor = String(reply[0]);
    if (reply[1].length > 0) await redis.send("UNLINK", reply[1]);
  } while (cursor !== "0");
}
