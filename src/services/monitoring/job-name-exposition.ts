import { LIFETIME_MINUTE, lifetimeJobSeries } from "../../queue/job-series-metrics";
import { type AttemptOutcome, HISTOGRAM_BUCKETS_MS } from "../../queue/metrics";
import type { QueueMonitor } from "../../queue/monitor";
import type { Labels, PrometheusText } from "./prometheus-text";

const OUTCOMES: readonly AttemptOutcome[] = ["processed", "failed", "retried", "released", "dropped"];
const BOUNDS_S = HISTOGRAM_BUCKETS_MS.map((ms) => ms / 1000);

/**
 * Per-job-name series for `/metrics`: attempt counters and runtime / wait histograms of every
 * registered job, from the queue's lifetime series per job name. They are families of their own
 * (`foodhub_job_*`), so summing a `foodhub_queue_*` family never counts a job twice.
 */
export async function addJobNameSeries(
  text: PrometheusText,
  monitor: QueueMonitor,
  jobs: ReadonlyArray<{ name: string; queue: string }>,
): Promise<void> {
  const series = await Promise.all(
    jobs.map((j) => monitor.metrics(lifetimeJobSeries(j.name), { from: LIFETIME_MINUTE, to: LIFETIME_MINUTE })),
  );
  const rows = jobs.flatMap((j, i) => {
    const point = series[i]?.points[0];
    return point ? [{ labels: { queue: j.queue, job: j.name } as Labels, point }] : [];
  });
  text.counter(
    "foodhub_job_attempts_total",
    "Finished attempts per job name and outcome (processed, failed, retried, released, dropped).",
    rows.flatMap(({ labels, point }) =>
      OUTCOMES.map((outcome) => [{ ...labels, outcome }, point[outcome]] as [Labels, number]),
    ),
  );
  for (const [kind, help] of [
    ["runtime", "Handler runtime per job name."],
    ["wait", "Time from a job becoming available to its start, per job name."],
  ] as const) {
    text.histogram(
      `foodhub_job_${kind}_seconds`,
      help,
      BOUNDS_S,
      rows.map(({ labels, point }) => ({
        labels,
        buckets: point[kind].buckets,
        sum: ((point[kind].avgMs ?? 0) * point[kind].count) / 1000,
      })),
    );
  }
}
