import type { MetricsSeries, QueueOverview } from "./monitor";
import type { WorkerStatus } from "./worker-registry";

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Prometheus text exposition of the queue: depths per queue (gauges), the counts and latency
 * percentiles of the given series window, and live / dead workers.
 */
export function formatPrometheus(
  overview: readonly QueueOverview[],
  series: readonly MetricsSeries[],
  workers: readonly WorkerStatus[],
): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, rows: Array<[labels: Record<string, string>, value: number | null]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of rows) {
      if (value === null || !Number.isFinite(value)) continue;
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(",");
      lines.push(`${name}{${text}} ${value}`);
    }
  };
  const byQueue = <T>(pick: (o: QueueOverview) => T) =>
    overview.map((o) => [{ queue: o.queue }, pick(o)] as [Record<string, string>, T]);
  metric(
    "queue_jobs_waiting",
    "Jobs in the streams not yet delivered.",
    byQueue((o) => o.waiting),
  );
  metric(
    "queue_jobs_in_flight",
    "Jobs delivered and not yet acked.",
    byQueue((o) => o.inFlight),
  );
  metric(
    "queue_jobs_delayed",
    "Jobs waiting for their due time (retries, releases, delayed dispatch).",
    byQueue((o) => o.delayed),
  );
  metric(
    "queue_jobs_failed",
    "Jobs in the failed store.",
    byQueue((o) => o.failed),
  );
  metric(
    "queue_paused",
    "1 when the queue is paused.",
    byQueue((o) => (o.paused ? 1 : 0)),
  );
  metric(
    "queue_oldest_waiting_seconds",
    "Age of the oldest waiting job.",
    byQueue((o) => (o.oldestWaitingMs === null ? 0 : o.oldestWaitingMs / 1000)),
  );
  const bySeries = (pick: (s: MetricsSeries) => number | null) =>
    series.map((s) => [{ queue: s.queue }, pick(s)] as [Record<string, string>, number | null]);
  for (const outcome of ["processed", "failed", "retried", "released", "dropped"] as const) {
    metric(
      `queue_window_${outcome}`,
      `Attempts ${outcome} in the metrics window.`,
      bySeries((s) => s.summary[outcome]),
    );
  }
  for (const [kind, label] of [
    ["runtime", "Handler runtime"],
    ["wait", "Wait before start"],
  ] as const) {
    for (const p of ["p50", "p95"] as const) {
      metric(
        `queue_window_${kind}_${p}_seconds`,
        `${label} ${p} in the metrics window (bucket upper bound).`,
        bySeries((s) => {
          const ms = s.summary[kind][`${p}Ms`];
          return ms === null ? null : ms / 1000;
        }),
      );
    }
  }
  metric("queue_workers", "Workers by health.", [
    [{ health: "alive" }, workers.filter((w) => w.alive).length],
    [{ health: "dead" }, workers.filter((w) => w.dead).length],
  ]);
  return `${lines.join("\n")}\n`;
}
