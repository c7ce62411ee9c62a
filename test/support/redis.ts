import { loadConfig } from "../../src/config";
import { ClusterRedis } from "../../src/redis/cluster";
import { connectRedis } from "../../src/redis/connect";
import type { RedisArg, RedisConnection } from "../../src/redis/types";

let counter = 0;

/** A unique key prefix for one test, so tests never see each other's keys. */
export function uniquePrefix(label = "t"): string {
  counter += 1;
  // Short enough for REDIS_PREFIX (at most 32 characters) whatever the pid.
  return `t:${label}:${process.pid.toString(36)}:${Date.now().toString(36)}:${counter}`;
}

/** True when this run's tests use a Redis Cluster (REDIS_CLUSTER_NODES). */
export function onCluster(): boolean {
  return (loadConfig().REDIS_CLUSTER_NODES?.length ?? 0) > 0;
}

/** A connection to the test Redis: the cluster when REDIS_CLUSTER_NODES is set, else the private server or REDIS_URL. */
export async function testRedis(): Promise<RedisConnection> {
  const config = loadConfig();
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    throw new Error("REDIS_URL is not set; the test preload should have set it");
  }
  return connectRedis(config);
}

type Send = (command: string, args: readonly RedisArg[]) => Promise<unknown>;

async function deleteOnNode(send: Send, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const reply = (await send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", 1000])) as [string, string[]];
    cursor = String(reply[0]);
    // One key per UNLINK: on a cluster node the keys found may sit in different slots.
    await Promise.all(reply[1].map((key) => send("UNLINK", [key])));
  } while (cursor !== "0");
}

/** Deletes every key under a prefix, on every master of a cluster (tests only; SCAN is fine here). */
export async function deleteKeys(redis: RedisConnection, prefix: string): Promise<void> {
  if (redis instanceof ClusterRedis) {
    await redis.eachMaster((send) => deleteOnNode(send, prefix));
    return;
  }
  await deleteOnNode((command, args) => redis.send(command, args), prefix);
}
