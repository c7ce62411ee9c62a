import type { RedisConnection } from "../redis/types";
import { type Clock, systemClock } from "./clock";
import { FailedJobs } from "./failed-jobs";
import type { FailedJob, FailedJobFilter, FailedJobPage, FailedJobStore } from "./failed-store";
import { readDepths, type ShardDepth } from "./inspect-depth";
import { type JobDetail, type JobListFilter, JobReader, type JobSummary, type PendingEntry } from "./inspect-jobs";
import type { AnyJobContract } from "./job";
import { type MetricsPoint, readMetrics, summarizeMetrics } from "./metrics";
import { Queue } from "./queue";
import { RedisFailedJobStore } from "./redis-failed-store";
import { stallThresholdMs } from "./worker-options";
import { listWorkers, type WorkerStatus } from "./worker-registry";

export type QueueMonitorOptions = {
  redis: RedisConnection;
  prefix: string;
  shards?: number;
  /** Queues to report, in priority order. Default `high, default, low`. */
  queues?: readonly string[];
  /** Job definitions, for the stall threshold of each queue (the longest timeout plus the grace). */
  jobs?: readonly AnyJobContract[];
  failedStore?: FailedJobStore;
  stallGraceMs?: number;
  /** Oldest waiting job older than this raises the queue's long-wait flag (ms); per queue or one for all. */
  longWaitMs?: number | Readonly<Record<string, number>>;
  deadAfterMs?: number;
  /** Stopped and dead workers are forgotten once their last heartbeat is older than this (ms). Default 1 h. */
  workerRetentionMs?: number;
  clock?: Clock;
};

export type QueueOverview = {
  queue: string;
  paused: boolean;
  waiting: number;
  inFlight: number;
  delayed: number;
  failed: number;
  oldestWaitingMs: number | null;
  longWaitThresholdMs: number;
  /** The oldest waiting job has waited past the threshold. */
  longWait: boolean;
  shards: ShardDepth[];
};

export type MetricsSeries = {
  queue: string;
  from: number;
  to: number;
  points: MetricsPoint[];
  summary: ReturnType<typeof summarizeMetrics>;
};

export type JobLookup =
  | ({ state: "waiting" | "in-flight" | "delayed" } & JobDetail)
  | { state: "failed"; failed: FailedJob };

/**
 * Everything a monitoring service needs, in one typed object: depths, metrics series, jobs by
 * state, job detail, pending entries, workers, failed jobs (list, retry, delete, clear) and
 * pause / resume.
 */
export class QueueMonitor {
  readonly queue: Queue;
  readonly failedJobs: FailedJobs;
  readonly queues: readonly string[];
  readonly #redis: RedisConnection;
  readonly #reader: JobReader;
  readonly #clock: Clock;
  readonly #longWait: QueueMonitorOptions["longWaitMs"];
  readonly #deadAfterMs: number;
  readonly workerRetentionMs: number;

  constructor(options: QueueMonitorOptions) {
    this.#redis = options.redis;
    this.#clock = options.clock ?? systemClock;
    this.queue = new Queue({
      redis: options.redis,
      prefix: options.prefix,
      shards: options.shards,
      clock: this.#clock,
    });
    this.queues = options.queues ?? ["high", "default", "low"];
    const store = options.failedStore ?? new RedisFailedJobStore(options.redis, this.queue.keys);
    this.failedJobs = new FailedJobs(this.queue, store);
    const jobs = options.jobs ?? [];
    const grace = options.stallGraceMs ?? 30_000;
    this.#reader = new JobReader(options.redis, this.queue.keys, this.queues, (q) => stallThresholdMs(jobs, q, grace));
    this.#longWait = options.longWaitMs;
    this.#deadAfterMs = options.deadAfterMs ?? 45_000;
    this.workerRetentionMs = options.workerRetentionMs ?? 3_600_000;
  }

  #longWaitThreshold(queue: string): number {
    if (typeof this.#longWait === "number") return this.#longWait;
    return this.#longWait?.[queue] ?? 60_000;
  }

  /** Per queue: depth summed over shards, the per-shard split, failed count and the long-wait flag. */
  async overview(): Promise<QueueOverview[]> {
    const [depths, failedCounts] = await Promise.all([
      readDepths(this.#redis, this.queue.keys, this.queues, this.#clock.now()),
      Promise.all(this.queues.map((queue) => this.failedJobs.store.count({ queue }))),
    ]);
    return this.queues.map((queue, i) => {
      const shards = depths.get(queue) ?? [];
      const sum = (pick: (d: ShardDepth) => number) => shards.reduce((a, d) => a + pick(d), 0);
      const ages = shards.map((d) => d.oldestWaitingMs).filter((a) => a !== null);
      const oldestWaitingMs = ages.length > 0 ? Math.max(...ages) : null;
      const threshold = this.#longWaitThreshold(queue);
      return {
        queue,
        paused: shards.some((d) => d.paused),
        waiting: sum((d) => d.waiting),
        inFlight: sum((d) => d.inFlight),
        delayed: sum((d) => d.delayed),
        failed: failedCounts[i] ?? 0,
        oldestWaitingMs,
        longWaitThresholdMs: threshold,
        longWait: oldestWaitingMs !== null && oldestWaitingMs > threshold,
        shards,
      };
    });
  }

  /** Per-minute series of one queue (default: the last hour). */
  async metrics(queue: string, range: { from?: number; to?: number } = {}): Promise<MetricsSeries> {
    const to = range.to ?? this.#clock.now();
    const from = range.from ?? to - 3_600_000;
    const points = await readMetrics(this.#redis, this.queue.keys, queue, from, to);
    return { queue, from, to, points, summary: summarizeMetrics(points) };
  }

  jobs(filter: JobListFilter): Promise<JobSummary[]> {
    return this.#reader.list(filter);
  }

  /** A job by id, wherever it is: stream, delayed set or failed store. */
  async job(jobId: string): Promise<JobLookup | null> {
    const live = await this.#reader.get(jobId);
    if (live) return live;
    const failed = await this.failedJobs.store.get(jobId);
    return failed ? { state: "failed", failed } : null;
  }

  /** Pending entries of a queue, every shard unless one is named. */
  async pending(queue: string, options: { shard?: number; limit?: number } = {}): Promise<PendingEntry[]> {
    const limit = options.limit ?? 100;
    const shards = options.shard === undefined ? [...Array(this.queue.keys.shards).keys()] : [options.shard];
    const out: PendingEntry[] = [];
    for (const shard of shards) out.push(...(await this.#reader.pending(queue, shard, limit - out.length)));
    return out.slice(0, limit);
  }

  /** Live workers first, each group newest heartbeat first; stopped and dead ones until the retention window passes. */
  async workers(): Promise<WorkerStatus[]> {
    const workers = await listWorkers(this.#redis, this.queue.keys, {
      now: this.#clock.now(),
      deadAfterMs: this.#deadAfterMs,
      forgetAfterMs: this.workerRetentionMs,
    });
    return workers.sort((a, b) => Number(b.alive) - Number(a.alive));
  }

  listFailed(filter: FailedJobFilter, page: { limit: number; offset: number }): Promise<FailedJobPage> {
    return this.failedJobs.store.list(filter, page);
  }

  retryFailed(jobIds: readonly string[]): Promise<string[]> {
    return this.failedJobs.retry(jobIds);
  }

  retryAllFailed(filter: FailedJobFilter): Promise<number> {
    return this.failedJobs.retryAll(filter);
  }

  deleteFailed(jobIds: readonly string[]): Promise<number> {
    return this.failedJobs.store.delete(jobIds);
  }

  clearFailed(filter: FailedJobFilter): Promise<number> {
    return this.failedJobs.store.clear(filter);
  }

  pause(queue: string): Promise<void> {
    return this.queue.pause(queue);
  }

  resume(queue: string): Promise<void> {
    return this.queue.resume(queue);
  }
}
