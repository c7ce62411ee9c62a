import type { JobEnvelope } from "./envelope";
import type { MetricsRecorder } from "./metrics";

/** The part of the recorder an attempt uses. */
export type AttemptMetrics = Pick<MetricsRecorder, "recordWait" | "recordOutcome">;

// Queue names cannot contain ':', so none of these series names can clash with a queue's.

/** Per-minute series of one job name, across partitions. */
export const jobSeries = (name: string) => `job:${name}`;

/** Per-minute series of one partition's (restaurant's) jobs of one name: what a tenant-scoped view sums. */
export const partitionJobSeries = (partition: string, name: string) => `p:${partition}:job:${name}`;

/**
 * Lifetime totals of a queue. Counted under minute 0, whose TTL every flush renews, so they only
 * grow (Prometheus counters and histograms) until a whole retention window passes without a job.
 */
export const lifetimeSeries = (queue: string) => `total:${queue}`;
/** Lifetime totals of one job name (its per-job-name Prometheus series); same renewal as a queue's. */
export const lifetimeJobSeries = (name: string) => `total:job:${name}`;
export const LIFETIME_MINUTE = 0;

/**
 * Wraps the recorder for one attempt so that it also counts the job's name, partition and lifetime
 * series beside its queue's. The recorder batches in memory, so the extra series cost a few more
 * fields per flush, not more commands per job.
 */
export function withJobSeries(recorder: AttemptMetrics, envelope: JobEnvelope): AttemptMetrics {
  const series = [jobSeries(envelope.name)];
  if (envelope.partition !== undefined) series.push(partitionJobSeries(envelope.partition, envelope.name));
  const lifetimes = (queue: string) => [lifetimeSeries(queue), lifetimeJobSeries(envelope.name)];
  return {
    recordWait(queue, at, waitMs) {
      recorder.recordWait(queue, at, waitMs);
      for (const name of lifetimes(queue)) recorder.recordWait(name, LIFETIME_MINUTE, waitMs);
      for (const name of series) recorder.recordWait(name, at, waitMs);
    },
    recordOutcome(queue, at, outcome, runtimeMs) {
      recorder.recordOutcome(queue, at, outcome, runtimeMs);
      for (const name of lifetimes(queue)) recorder.recordOutcome(name, LIFETIME_MINUTE, outcome, runtimeMs);
      for (const name of series) recorder.recordOutcome(name, at, outcome, runtimeMs);
    },
  };
}
