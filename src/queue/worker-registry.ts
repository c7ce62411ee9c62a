import { toRecord, toScoredMembers } from "../redis/replies";
import type { RedisConnection } from "../redis/types";
import type { QueueKeys } from "./keys";

export type WorkerState = "starting" | "running" | "draining" | "stopped";

export type InFlightJob = { jobId: string; name: string; queue: string; shard: number; startedAt: number };

/** A worker process as its supervisor sees it. */
export type SupervisedProcess = { pid: number; startedAt: number; state: "running" | "draining" };

/** What a worker (or a supervisor of worker processes) reports about itself on every heartbeat. */
export type WorkerInfo = {
  /** Absent for a worker; a supervisor runs no jobs itself and lists its `processes`. */
  role?: "worker" | "supervisor";
  /** The id of the supervisor that started this worker's process, if any. */
  supervisor?: string;
  /** A supervisor's processes, draining ones included. */
  processes?: SupervisedProcess[];
  /** How often a supervisor restarted a crashed process. */
  restarts?: number;
  balance?: "auto" | "off";
  /** Jobs waiting across its queues at a supervisor's last measurement. */
  waiting?: number;
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
  // One round trip for the whole list (stall recovery calls this on every sweep of an idle worker).
  const [staleReply, membersReply, infoReply] = await redis.pipeline([
    ["ZRANGE", [g.workers, "-inf", forgetBefore, "BYSCORE", "WITHSCORES"]],
    ["ZRANGE", [g.workers, 0, -1, "REV", "WITHSCORES"]],
    ["HGETALL", [g.workerInfo]],
  ]);
  const failed = [staleReply, membersReply, infoReply].find((r) => r instanceof Error);
  if (failed) throw failed;
  const stale = new Set(toScoredMembers(staleReply).map(([id]) => id));
  if (stale.size > 0) {
    await redis.pipeline([
      ["ZREM", [g.workers, ...stale]],
      ["HDEL", [g.workerInfo, ...stale]],
    ]);
  }
  const infos = toRecord(infoReply);
  const raw = toScoredMembers(membersReply)
    .filter(([id]) => !stale.has(id))
    .map(([id]) => infos[id]);
  const out: WorkerStatus[] = [];
  for (const value of raw) {
    if (value == null) continue;
    const info = JSON.parse(String(value)) as WorkerInfo;
    const dead = info.state !== "stopped" && options.now - info.lastBeatAt > options.deadAfterMs;
    out.push({ ...info, alive: info.state !== "stopped" && !dead, dead });
  }
  return out;
}
