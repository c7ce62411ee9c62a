import { toScoredMembers } from "../redis/replies";
import type { RedisConnection } from "../redis/types";
import type { QueueKeys } from "./keys";

export type WorkerState = "starting" | "running" | "draining" | "stopped";

export type InFlightJob = { jobId: string; name: string; queue: string; shard: number; startedAt: number };

/** What a worker reports about itself on every heartbeat. */
export type WorkerInfo = {
  /** Also its consumer name in every consumer group. */
  id: string;
  pid: number;
  host: string;
  queues: string[];
  shards: number;
  concurrency: number;
  mode: "strict" | "weighted";
  state: WorkerState;
  startedAt: number;
  lastBeatAt: number;
  inFlight: InFlightJob[];
  processed: number;
  failed: number;
  retried: number;
  released: number;
  dropped: number;
};

export type WorkerStatus = WorkerInfo & {
  /** False when it stopped, or missed its heartbeats for longer than the dead threshold. */
  alive: boolean;
  dead: boolean;
};

/** Records a heartbeat. The registry ZSET is scored by the last beat, which is what dead detection reads. */
export async function writeHeartbeat(redis: RedisConnection, keys: QueueKeys, info: WorkerInfo): Promise<void> {
  const replies = await redis.pipeline([
    ["HSET", [keys.global.workerInfo, info.id, JSON.stringify(info)]],
    ["ZADD", [keys.global.workers, info.lastBeatAt, info.id]],
  ]);
  const error = replies.find((r) => r instanceof Error);
  if (error) throw error;
}

/**
 * Lists known workers, newest heartbeat first. A worker is dead when it is not stopped and its
 * last beat is older than `deadAfterMs`. Records older than `forgetAfterMs` are removed.
 */
export async function listWorkers(
  redis: RedisConnection,
  keys: QueueKeys,
  options: { now: number; deadAfterMs: number; forgetAfterMs?: number },
): Promise<WorkerStatus[]> {
  const g = keys.global;
  const forgetBefore = options.now - (options.forgetAfterMs ?? 3_600_000);
  const stale = toScoredMembers(await redis.send("ZRANGE", [g.workers, "-inf", forgetBefore, "BYSCORE", "WITHSCORES"]));
  if (stale.length > 0) {
    const ids = stale.map(([id]) => id);
    await redis.pipeline([
      ["ZREM", [g.workers, ...ids]],
      ["HDEL", [g.workerInfo, ...ids]],
    ]);
  }
  const members = toScoredMembers(await redis.send("ZRANGE", [g.workers, 0, -1, "REV", "WITHSCORES"]));
  if (members.length === 0) return [];
  const raw = (await redis.send("HMGET", [g.workerInfo, ...members.map(([id]) => id)])) as unknown[];
  const out: WorkerStatus[] = [];
  for (const value of raw) {
    if (value == null) continue;
    const info = JSON.parse(String(value)) as WorkerInfo;
    const dead = info.state !== "stopped" && options.now - info.lastBeatAt > options.deadAfterMs;
    out.push({ ...info, alive: info.state !== "stopped" && !dead, dead });
  }
  return out;
}
