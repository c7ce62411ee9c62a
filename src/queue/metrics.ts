import { toRecord } from "../redis/replies";
import type { RedisCommand, RedisConnection } from "../redis/types";
import {
  jobSeries,
  LIFETIME_MINUTE,
  lifetimeJobSeries,
  lifetimeSeries,
  partitionJobSeries,
} from "./job-series-metrics";
import type { QueueKeys } from "./keys";

/** Upper bounds (ms) of the runtime and wait-time histogram buckets; one more bucket holds the rest. */
export const HISTOGRAM_BUCKETS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000,
] as const;

export const MINUTE_MS = 60_000;

/** How an attempt ended, as counted per minute. */
export type AttemptOutcome = "processed" | "failed" | "retried" | "released" | "dropped";

const OUTCOMES: readonly AttemptOutcome[] = ["processed", "failed", "retried", "released", "dropped"];

export type Distribution = {
  count: number;
  avgMs: number | null;
  /** Upper bound of the bucket holding the 50th / 95th percentile (null when empty). */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Count per bucket, aligned with HISTOGRAM_BUCKETS_MS plus one overflow bucket. */
  buckets: number[];
};

export type MetricsPoint = {
  /** Start of the minute (ms since epoch). */
  minute: number;
  processed: number;
  failed: number;
  retried: number;
  released: number;
  dropped: number;
  runtime: Distribution;
  wait: Distribution;
};

/** The histogram's field names, per bucket (the overflow bucket last), built once. */
const WAIT_FIELDS = Array.from({ length: HISTOGRAM_BUCKETS_MS.length + 1 }, (_, i) => `wt:${i}`);
const RUNTIME_FIELDS = Array.from({ length: HISTOGRAM_BUCKETS_MS.length + 1 }, (_, i) => `rt:${i}`);

function bucketOf(ms: number): number {
  for (let i = 0; i < HISTOGRAM_BUCKETS_MS.length; i++) {
    if (ms <= (HISTOGRAM_BUCKETS_MS[i] as number)) return i;
  }
  return HISTOGRAM_BUCKETS_MS.length;
}

function percentile(buckets: readonly number[], count: number, p: number): number | null {
  if (count === 0) return null;
  const rank = Math.ceil(count * p);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] ?? 0;
    if (seen >= rank) return HISTOGRAM_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

function distribution(buckets: number[], sum: number): Distribution {
  const count = buckets.reduce((a, b) => a + b, 0);
  return {
    count,
    avgMs: count === 0 ? null : sum / count,
    p50Ms: percentile(buckets, count, 0.5),
    p95Ms: percentile(buckets, count, 0.95),
    buckets,
  };
}

/** The job an attempt counts for: its name and, when it has one, its partition (restaurant). */
export type SeriesJob = { readonly name: string; readonly partition?: string };

/** One minute's counts of one job name (and partition) on one queue, before they are split into series. */
type Cell = {
  queue: string;
  job: SeriesJob;
  minute: number;
  wait: number[];
  waitSum: number;
  runtime: number[];
  runtimeSum: number;
  outcomes: Record<AttemptOutcome, number>;
};

const buckets = () => new Array<number>(HISTOGRAM_BUCKETS_MS.length + 1).fill(0);

/**
 * Counts attempts in memory and writes them with HINCRBY every few seconds, so the hot path
 * never waits on metrics and Redis sees a handful of commands per queue and minute.
 *
 * An attempt counts into one cell per queue, job name and partition (a few array increments); the
 * cell is split into the series the readers use (the queue's, the job name's, the partition's and
 * the lifetime totals, see job-series-metrics.ts) only when it is folded: at a flush or when its
 * minute ends. So a job pays for one counter, not for the four or five series it lands in.
 */
export class MetricsRecorder {
  #pending = new Map<string, Map<string, number>>();
  /** queue → job name → partition ("" for none) → the cell of the minute last counted. */
  #cells = new Map<string, Map<string, Map<string, Cell>>>();

  constructor(
    private readonly keys: QueueKeys,
    private readonly retentionMs: number,
  ) {}

  #cell(queue: string, job: SeriesJob, at: number): Cell {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    let names = this.#cells.get(queue);
    if (!names) {
      names = new Map();
      this.#cells.set(queue, names);
    }
    let partitions = names.get(job.name);
    if (!partitions) {
      partitions = new Map();
      names.set(job.name, partitions);
    }
    const partition = job.partition ?? "";
    let cell = partitions.get(partition);
    if (cell && cell.minute === minute) return cell;
    if (cell) this.#fold(cell);
    cell = {
      queue,
      job: { name: job.name, ...(job.partition !== undefined ? { partition: job.partition } : {}) },
      minute,
      wait: buckets(),
      waitSum: 0,
      runtime: buckets(),
      runtimeSum: 0,
      outcomes: { processed: 0, failed: 0, retried: 0, released: 0, dropped: 0 },
    };
    partitions.set(partition, cell);
    return cell;
  }

  /** Adds a cell's counts to every series it belongs to. */
  #fold(cell: Cell): void {
    const { queue, job, minute } = cell;
    const series: Array<[string, number]> = [
      [queue, minute],
      [lifetimeSeries(queue), LIFETIME_MINUTE],
      [lifetimeJobSeries(job.name), LIFETIME_MINUTE],
      [jobSeries(job.name), minute],
    ];
    if (job.partition !== undefined) series.push([partitionJobSeries(job.partition, job.name), minute]);
    for (const [name, at] of series) {
      const key = this.keys.global.metrics(name, at);
      let fields = this.#pending.get(key);
      if (!fields) {
        fields = new Map();
        this.#pending.set(key, fields);
      }
      const add = (field: string, by: number) => {
        if (by !== 0) fields.set(field, (fields.get(field) ?? 0) + by);
      };
      for (let b = 0; b < cell.wait.length; b++) add(WAIT_FIELDS[b]!, cell.wait[b]!);
      for (let b = 0; b < cell.runtime.length; b++) add(RUNTIME_FIELDS[b]!, cell.runtime[b]!);
      const waited = cell.wait.some((n) => n > 0);
      const ran = cell.runtime.some((n) => n > 0);
      // A sum is written whenever its histogram counted something, even a sum of 0 ms.
      if (waited) fields.set("wt_sum", (fields.get("wt_sum") ?? 0) + cell.waitSum);
      if (ran) fields.set("rt_sum", (fields.get("rt_sum") ?? 0) + cell.runtimeSum);
      for (const outcome of OUTCOMES) add(outcome, cell.outcomes[outcome]);
    }
  }

  /** Counts the wait of a job that starts now. */
  recordWait(queue: string, job: SeriesJob, at: number, waitMs: number): void {
    const cell = this.#cell(queue, job, at);
    const ms = Math.max(0, Math.round(waitMs));
    cell.wait[bucketOf(ms)]! += 1;
    cell.waitSum += ms;
  }

  /** Counts an attempt's outcome and, when its handler ran, its runtime. */
  recordOutcome(queue: string, job: SeriesJob, at: number, outcome: AttemptOutcome, runtimeMs: number | null): void {
    const cell = this.#cell(queue, job, at);
    cell.outcomes[outcome] += 1;
    if (runtimeMs !== null) {
      const ms = Math.max(0, Math.round(runtimeMs));
      cell.runtime[bucketOf(ms)]! += 1;
      cell.runtimeSum += ms;
    }
  }

  /** Writes what was counted since the last flush. */
  async flush(redis: RedisConnection): Promise<void> {
    for (const names of this.#cells.values()) {
      for (const partitions of names.values()) {
        for (const cell of partitions.values()) this.#fold(cell);
      }
    }
    this.#cells.clear();
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    const commands: RedisCommand[] = [];
    const ttlSeconds = Math.ceil(this.retentionMs / 1000) + 60;
    for (const [key, fields] of pending) {
      for (const [field, by] of fields) commands.push(["HINCRBY", [key, field, by]]);
      commands.push(["EXPIRE", [key, ttlSeconds]]);
    }
    const replies = await redis.pipeline(commands);
    const error = replies.find((r) => r instanceof Error);
    if (error) throw error;
  }
}

/** Reads a queue's per-minute series between two times (inclusive minutes). */
export async function readMetrics(
  redis: RedisConnection,
  keys: QueueKeys,
  queue: string,
  from: number,
  to: number,
): Promise<MetricsPoint[]> {
  const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  const minutes: number[] = [];
  for (let m = first; m <= to && minutes.length < 24 * 60; m += MINUTE_MS) minutes.push(m);
  const replies = await redis.pipeline(minutes.map((m) => ["HGETALL", [keys.global.metrics(queue, m)]] as const));
  return minutes.map((minute, i) => {
    const raw = toRecord(replies[i] instanceof Error ? null : replies[i]);
    const num = (field: string) => Number(raw[field] ?? 0);
    const buckets = (kind: string) =>
      Array.from({ length: HISTOGRAM_BUCKETS_MS.length + 1 }, (_, b) => num(`${kind}:${b}`));
    const point = { minute } as MetricsPoint;
    for (const outcome of OUTCOMES) point[outcome] = num(outcome);
    point.runtime = distribution(buckets("rt"), num("rt_sum"));
    point.wait = distribution(buckets("wt"), num("wt_sum"));
    return point;
  });
}

/** Totals of a series: counts, success rate and merged runtime / wait distributions. */
export function summarizeMetrics(points: readonly MetricsPoint[]): {
  processed: number;
  failed: number;
  retried: number;
  released: number;
  dropped: number;
  successRate: number | null;
  runtime: Distribution;
  wait: Distribution;
} {
  const merge = (pick: (p: MetricsPoint) => Distribution) => {
    const buckets = new Array<number>(HISTOGRAM_BUCKETS_MS.length + 1).fill(0);
    let sum = 0;
    for (const p of points) {
      const d = pick(p);
      d.buckets.forEach((n, i) => {
        buckets[i] = (buckets[i] ?? 0) + n;
      });
      sum += (d.avgMs ?? 0) * d.count;
    }
    return distribution(buckets, sum);
  };
  const total = (outcome: AttemptOutcome) => points.reduce((a, p) => a + p[outcome], 0);
  const processed = total("processed");
  const failed = total("failed");
  return {
    processed,
    failed,
    retried: total("retried"),
    released: total("released"),
    dropped: total("dropped"),
    successRate: processed + failed === 0 ? null : processed / (processed + failed),
    runtime: merge((p) => p.runtime),
    wait: merge((p) => p.wait),
  };
}
