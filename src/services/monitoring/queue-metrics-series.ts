import type { AnyJobContract } from "../../queue/job";
import { jobSeries, partitionJobSeries } from "../../queue/job-series-metrics";
import { HISTOGRAM_BUCKETS_MS, type MetricsPoint, MINUTE_MS, summarizeMetrics } from "../../queue/metrics";
import type { QueueMonitor } from "../../queue/monitor";
import { type MonitoringScope, scopePartitions } from "./monitoring-scope";

export type MetricsRange = "hour" | "day";

const RANGES: Record<MetricsRange, { spanMs: number; bucketMs: number }> = {
  hour: { spanMs: 3_600_000, bucketMs: MINUTE_MS },
  day: { spanMs: 86_400_000, bucketMs: 15 * MINUTE_MS },
};

type Summary = ReturnType<typeof summarizeMetrics>;

/** A percentile in the overflow bucket comes back as Infinity, which JSON cannot carry: report the last bound. */
const bounded = (ms: number | null) => (ms === null ? null : Math.min(ms, HISTOGRAM_BUCKETS_MS.at(-1) ?? ms));

function shapeSummary(s: Summary) {
  return {
    processed: s.processed,
    failed: s.failed,
    retried: s.retried,
    successRate: s.successRate,
    runtimeAvgMs: s.runtime.avgMs,
    runtimeP50Ms: bounded(s.runtime.p50Ms),
    runtimeP95Ms: bounded(s.runtime.p95Ms),
    waitAvgMs: s.wait.avgMs,
    waitP50Ms: bounded(s.wait.p50Ms),
    waitP95Ms: bounded(s.wait.p95Ms),
  };
}

/**
 * Which stored series add up to a queue's or a job's numbers. Admins read the queue and job-name
 * series; a restaurant-scoped view sums its own restaurants' per-job series, so it never sees
 * another restaurant's activity.
 */
export class SeriesPlan {
  readonly #partitions: string[] | undefined;

  constructor(
    scope: MonitoringScope,
    private readonly jobs: readonly AnyJobContract[],
  ) {
    this.#partitions = scopePartitions(scope);
  }

  forJob(name: string): string[] {
    if (!this.#partitions) return [jobSeries(name)];
    return this.#partitions.map((p) => partitionJobSeries(p, name));
  }

  forQueue(queue: string): string[] {
    if (!this.#partitions) return [queue];
    return this.jobs.filter((j) => j.queue === queue).flatMap((j) => this.forJob(j.name));
  }
}

/** Reads every named series once, in parallel. */
async function readSeries(monitor: QueueMonitor, names: readonly string[], from: number, to: number) {
  const unique = [...new Set(names)];
  const series = await Promise.all(unique.map((name) => monitor.metrics(name, { from, to })));
  return new Map(unique.map((name, i) => [name, series[i]?.points ?? []]));
}

/** Totals of the given series between two times (for the overview's last minute / last hour). */
export async function seriesTotals(
  monitor: QueueMonitor,
  names: readonly string[],
  from: number,
  to: number,
): Promise<Summary> {
  const read = await readSeries(monitor, names, from, to);
  return summarizeMetrics([...read.values()].flat());
}

/** Per-queue and per-job series of a range, bucketed (1 minute for an hour, 15 minutes for a day). */
export async function metricsSeries(
  monitor: QueueMonitor,
  plan: SeriesPlan,
  cells: { queues: readonly string[]; jobs: readonly AnyJobContract[] },
  range: MetricsRange,
  now: number,
) {
  const { spanMs, bucketMs } = RANGES[range];
  const to = now;
  // The library reads at most a day of minutes, the current one included.
  const from = to - spanMs + MINUTE_MS;
  const queueCells = cells.queues.map((queue) => ({ queue, job: null, names: plan.forQueue(queue) }));
  const jobCells = cells.jobs.map((j) => ({ queue: j.queue, job: j.name, names: plan.forJob(j.name) }));
  const read = await readSeries(
    monitor,
    [...queueCells, ...jobCells].flatMap((c) => c.names),
    from,
    to,
  );
  const firstBucket = Math.floor(from / bucketMs) * bucketMs;
  const shape = (cell: { queue: string; job: string | null; names: string[] }) => {
    const all: MetricsPoint[] = cell.names.flatMap((name) => read.get(name) ?? []);
    const points = [];
    for (let at = firstBucket; at <= to; at += bucketMs) {
      const s = summarizeMetrics(all.filter((p) => p.minute >= at && p.minute < at + bucketMs));
      points.push({
        at,
        processed: s.processed,
        failed: s.failed,
        retried: s.retried,
        throughputPerMinute: s.processed / (bucketMs / MINUTE_MS),
        successRate: s.successRate,
        runtimeP50Ms: bounded(s.runtime.p50Ms),
        runtimeP95Ms: bounded(s.runtime.p95Ms),
        waitP50Ms: bounded(s.wait.p50Ms),
        waitP95Ms: bounded(s.wait.p95Ms),
      });
    }
    return { queue: cell.queue, job: cell.job, points, summary: shapeSummary(summarizeMetrics(all)) };
  };
  return { range, from, to, bucketMs, queues: queueCells.map(shape), jobs: jobCells.map(shape) };
}
