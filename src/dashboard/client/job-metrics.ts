import type { Metrics } from "./api";
import { duration, empty, fill, percent, row, tagged } from "./dom";

/** Failed share of finished attempts (processed + failed); null when none finished. */
const failureRate = (s: { processed: number; failed: number }) =>
  s.processed + s.failed === 0 ? null : s.failed / (s.processed + s.failed);

/** Horizon's "Metrics" page: per job name throughput, failure rate and runtime; wait time per queue. */
export function renderJobMetrics(metrics: Metrics): void {
  const minutes = Math.max(1, Math.round((metrics.to - metrics.from) / 60_000) + 1);
  fill(
    "job-metrics",
    metrics.jobs.length === 0
      ? [empty(8, "No jobs are registered")]
      : metrics.jobs.map((series) => {
          const s = series.summary;
          const name = series.job ?? series.queue;
          const tr = row(
            [
              name,
              series.queue,
              tagged(s.processed, `job-${name}-processed`),
              tagged(s.failed, `job-${name}-failed`),
              tagged(percent(failureRate(s)), `job-${name}-failure-rate`),
              (s.processed / minutes).toFixed(2),
              tagged(duration(s.runtimeP50Ms), `job-${name}-p50`),
              tagged(duration(s.runtimeP95Ms), `job-${name}-p95`),
            ],
            [2, 3, 4, 5, 6, 7],
          );
          tr.dataset.job = name;
          return tr;
        }),
  );
  fill(
    "queue-wait",
    metrics.queues.map((series) => {
      const s = series.summary;
      return row(
        [
          series.queue,
          s.processed + s.failed + s.retried,
          duration(s.waitAvgMs),
          tagged(duration(s.waitP50Ms), `wait-${series.queue}-p50`),
          tagged(duration(s.waitP95Ms), `wait-${series.queue}-p95`),
        ],
        [1, 2, 3, 4],
      );
    }),
  );
}
