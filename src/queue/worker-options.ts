import type { RedisConnection } from "../redis/types";
import type { Clock } from "./clock";
import type { FailedJobStore } from "./failed-store";
import type { AnyJobContract, AnyJobDefinition } from "./job";
import type { QueueLogger } from "./logger";

export type WorkerMode = "strict" | "weighted";

export type WorkerOptions = {
  redis: RedisConnection;
  prefix: string;
  /** Must match the producers' shard count; a worker consumes every shard. */
  shards?: number;
  /** Definitions of every job this worker may meet. */
  jobs: readonly AnyJobDefinition[];
  /** Queues in priority order. Default `high, default, low`. */
  queues?: readonly string[];
  /** Handlers running at once. Default 10. */
  concurrency?: number;
  /** `strict` serves a queue only when every queue before it is empty; `weighted` mixes by weight. */
  mode?: WorkerMode;
  /** Relative share of reads per queue in weighted mode. Default 6 / 3 / 1 down the priority list. */
  weights?: Readonly<Record<string, number>>;
  /** Where jobs go when they fail for good. Default: the Redis-backed store. */
  failedStore?: FailedJobStore;
  clock?: Clock;
  logger?: QueueLogger;
  /** Longest XREADGROUP BLOCK when idle (ms). Default 10 000. */
  blockMs?: number;
  /** Longest pause between promotions of due delayed jobs (ms); shorter while busy. Default 10 000. */
  promoteIntervalMs?: number;
  /** Added to a queue's longest job timeout before an idle entry counts as stalled (ms). Default 30 000. */
  stallGraceMs?: number;
  /** How often stalled and dead workers' entries are looked for (ms). Default 30 000. */
  stallCheckIntervalMs?: number;
  /** Deliveries after which an entry is failed as poison. Default 5. */
  maxDeliveries?: number;
  heartbeatIntervalMs?: number;
  /** A worker whose last heartbeat is older than this is dead. Default 3 heartbeats. */
  deadAfterMs?: number;
  /** How long `stop()` waits for running handlers (ms). Default: the longest job timeout. */
  drainTimeoutMs?: number;
  metricsRetentionMs?: number;
  metricsFlushIntervalMs?: number;
  /** A job that waited longer than this before it started is logged as a long wait (ms). Default 60 000. */
  longWaitMs?: number;
  /**
   * Longest busy-poll for a read's reply while no handler runs (µs), instead of sleeping until
   * it comes (ADR 0035). 0 turns it off. Default 500; at most 10 000.
   */
  pollSpinUs?: number;
  /** Consumer name; default host-pid-random. */
  id?: string;
  /** The id of the supervisor that started this process, reported in the worker list. */
  supervisor?: string;
};

export type ResolvedWorkerOptions = Required<
  Omit<WorkerOptions, "failedStore" | "clock" | "logger" | "id" | "weights" | "supervisor">
> & {
  weights: Readonly<Record<string, number>>;
};

/** The default spin window for a read's reply (µs): a few local round trips. */
export const DEFAULT_POLL_SPIN_US = 500;
/** The longest spin window (µs), as `WORKER_POLL_SPIN_US` allows: a spin never holds a core for long. */
export const MAX_POLL_SPIN_US = 10_000;

function clampSpin(us: number): number {
  return Number.isFinite(us) ? Math.min(MAX_POLL_SPIN_US, Math.max(0, us)) : 0;
}

export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const queues = options.queues ?? ["high", "default", "low"];
  const longestTimeoutMs = Math.max(1, ...options.jobs.map((j) => j.timeout)) * 1000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const defaultWeights = [6, 3, 1];
  return {
    redis: options.redis,
    prefix: options.prefix,
    shards: options.shards ?? 1,
    jobs: options.jobs,
    queues,
    concurrency: Math.max(1, options.concurrency ?? 10),
    mode: options.mode ?? "strict",
    weights: options.weights ?? Object.fromEntries(queues.map((q, i) => [q, defaultWeights[i] ?? 1])),
    blockMs: options.blockMs ?? 10_000,
    promoteIntervalMs: options.promoteIntervalMs ?? 10_000,
    stallGraceMs: options.stallGraceMs ?? 30_000,
    stallCheckIntervalMs: options.stallCheckIntervalMs ?? 30_000,
    maxDeliveries: options.maxDeliveries ?? 5,
    heartbeatIntervalMs,
    deadAfterMs: options.deadAfterMs ?? heartbeatIntervalMs * 3,
    drainTimeoutMs: options.drainTimeoutMs ?? longestTimeoutMs,
    metricsRetentionMs: options.metricsRetentionMs ?? 24 * 3_600_000,
    metricsFlushIntervalMs: options.metricsFlushIntervalMs ?? 5_000,
    longWaitMs: options.longWaitMs ?? 60_000,
    pollSpinUs: clampSpin(options.pollSpinUs ?? DEFAULT_POLL_SPIN_US),
  };
}

/** An entry idle longer than the queue's longest job timeout plus the grace is stalled. */
export function stallThresholdMs(jobs: readonly AnyJobContract[], queue: string, graceMs: number): number {
  const own = jobs.filter((j) => j.queue === queue).map((j) => j.timeout * 1000);
  const longest = own.length > 0 ? Math.max(...own) : Math.max(1000, ...jobs.map((j) => j.timeout * 1000));
  return longest + graceMs;
}
