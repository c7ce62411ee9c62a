import { type ClusterNodeAddress, connectClusterRedis } from "./cluster";
import { connectTcpRedis, type ReconnectOptions } from "./tcp";
import type { RedisConnection } from "./types";

/** Where a TCP Redis is: a cluster's seed nodes win over a single node's URL. */
export type RedisTarget = { REDIS_URL?: string; REDIS_CLUSTER_NODES?: readonly ClusterNodeAddress[] };

/** True when the target names a cluster or a single node. */
export function hasRedisTarget(target: RedisTarget): boolean {
  return (target.REDIS_CLUSTER_NODES?.length ?? 0) > 0 || Boolean(target.REDIS_URL);
}

/** Opens the configured TCP Redis: the cluster client for REDIS_CLUSTER_NODES, else Bun's client on REDIS_URL. */
export async function connectRedis(target: RedisTarget, options: ReconnectOptions = {}): Promise<RedisConnection> {
  if (target.REDIS_CLUSTER_NODES && target.REDIS_CLUSTER_NODES.length > 0) {
    return connectClusterRedis(target.REDIS_CLUSTER_NODES);
  }
  if (!target.REDIS_URL) throw new Error("neither REDIS_CLUSTER_NODES nor REDIS_URL is set");
  return connectTcpRedis(target.REDIS_URL, options);
}
