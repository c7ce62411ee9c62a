import type { Database } from "../../../db/client";
import type { CachingService } from "../../cache/caching-service";
import type { PosCallMetrics } from "../../pos/pos-call-metrics";
import { LIFETIME_MINUTE, lifetimeSeries } from "../../queue/job-series-metrics";
import { type AttemptOutcome, HISTOGRAM_BUCKETS_MS, type MetricsPoint } from "../../queue/metrics";
import type { QueueMonitor } from "../../queue/monitor";
import type { RedisConnection } from "../../redis/types";
import { HTTP_LATENCY_BOUNDS_S, type HttpRequestMetrics } from "./http-request-metrics";
import { addJobNameSeries } from "./job-name-exposition";
import {
  readBreakerStates,
  readRedisMemory,
  writePosFamilies,
  writeProcessFamilies,
  writeRedisFamilies,
} from "./operations-metrics";
import { buildInfo, readProcessMetrics } from "./process-metrics";
import { type Labels, PrometheusText } from "./prometheus-text";

const OUTCOMES: readonly AttemptOutcome[] = ["processed", "failed", "retried", "released", "dropped"];
const QUEUE_BOUNDS_S = HISTOGRAM_BUCKETS_MS.map((ms) => ms / 1000);

/** What an exposition reads: the shared state (Redis, database) and this process's own counters. */
export type MetricsSources = {
  monitor: QueueMonitor;
  /** The registered jobs, for the per-job-name series. */
  jobs: ReadonlyArray<{ name: string; queue: string }>;
  cache: CachingService;
  http: HttpRequestMetrics;
  posCalls: PosCallMetrics;
  db: Database;
  redis: RedisConnection;
  prefix: string;
  /** BUILD_COMMIT, when the deployment says it. */
  commit: string | undefined;
};

/**
 * Everything `GET /metrics` shows (the API's and the worker's `--metrics-port`), in the
 * Prometheus text format: build and process metrics, queue depths and workers now, lifetime
 * attempt counters and runtime / wait histograms per queue and per job name (from the queue's
 * lifetime series),
 * HTTP latency and POS calls of this process, breaker state per POS connection, Redis memory,
 * and the cache's hit / miss counters.
 */
export async function metricsExposition(deps: MetricsSources): Promise<string> {
  const { monitor } = deps;
  const [overview, workers, lifetimes, cache, breakers, redisMemory] = await Promise.all([
    monitor.overview(),
    monitor.workers(),
    Promise.all(
      monitor.queues.map((queue) =>
        monitor.metrics(lifetimeSeries(queue), { from: LIFETIME_MINUTE, to: LIFETIME_MINUTE }),
      ),
    ),
    deps.cache.stats().catch(() => null),
    readBreakerStates(deps.db, deps.redis, deps.prefix).catch(() => null),
    readRedisMemory(deps.redis).catch(() => null),
  ]);
  const text = new PrometheusText();
  writeProcessFamilies(text, buildInfo(deps.commit), readProcessMetrics());
  const q = (queue: string): Labels => ({ queue });

  text.gauge(
    "foodhub_queue_jobs",
    "Jobs per queue and state (waiting, in_flight, delayed, failed).",
    overview.flatMap((o) => [
      [{ ...q(o.queue), state: "waiting" }, o.waiting] as [Labels, number],
      [{ ...q(o.queue), state: "in_flight" }, o.inFlight],
      [{ ...q(o.queue), state: "delayed" }, o.delayed],
      [{ ...q(o.queue), state: "failed" }, o.failed],
    ]),
  );
  text.gauge(
    "foodhub_queue_paused",
    "1 while the queue is paused.",
    overview.map((o) => [q(o.queue), o.paused ? 1 : 0]),
  );
  text.gauge(
    "foodhub_queue_oldest_waiting_seconds",
    "Age of the oldest waiting job (0 when none waits).",
    overview.map((o) => [q(o.queue), (o.oldestWaitingMs ?? 0) / 1000]),
  );
  text.gauge(
    "foodhub_queue_long_wait_threshold_seconds",
    "Wait past which the queue is flagged (dashboard, notifications, the FoodHubQueueLongWait alert).",
    overview.map((o) => [q(o.queue), o.longWaitThresholdMs / 1000]),
  );
  text.gauge("foodhub_queue_workers", "Known workers by liveness.", [
    [{ status: "alive" }, workers.filter((w) => w.alive && w.role !== "supervisor").length],
    [{ status: "dead" }, workers.filter((w) => w.dead && w.role !== "supervisor").length],
  ]);

  const points = monitor.queues.map((queue, i) => [queue, lifetimes[i]?.points[0]] as const);
  const present = points.filter((p): p is readonly [string, MetricsPoint] => p[1] !== undefined);
  text.counter(
    "foodhub_queue_attempts_total",
    "Finished attempts per queue and outcome (processed, failed, retried, released, dropped).",
    present.flatMap(([queue, p]) => OUTCOMES.map((outcome) => [{ queue, outcome }, p[outcome]] as [Labels, number])),
  );
  for (const [kind, help] of [
    ["runtime", "Handler runtime per queue."],
    ["wait", "Time from a job becoming available to its start, per queue."],
  ] as const) {
    text.histogram(
      `foodhub_queue_job_${kind}_seconds`,
      help,
      QUEUE_BOUNDS_S,
      present.map(([queue, p]) => ({
        labels: q(queue),
        buckets: p[kind].buckets,
        sum: ((p[kind].avgMs ?? 0) * p[kind].count) / 1000,
      })),
    );
  }

  await addJobNameSeries(text, monitor, deps.jobs);

  text.histogram(
    "foodhub_http_request_duration_seconds",
    "HTTP request latency by method, route pattern and status (this instance).",
    HTTP_LATENCY_BOUNDS_S,
    deps.http.samples(),
  );
  writePosFamilies(text, deps.posCalls, breakers);
  writeRedisFamilies(text, redisMemory);

  if (cache) {
    text.counter(
      "foodhub_cache_requests_total",
      "Cache reads per family and outcome (hit, miss, fallback: served from the database while Redis was down).",
      cache.families.flatMap((f) => [
        [{ family: f.family, outcome: "hit" }, f.hits] as [Labels, number],
        [{ family: f.family, outcome: "miss" }, f.misses],
        [{ family: f.family, outcome: "fallback" }, f.fallbacks],
      ]),
    );
    text.gauge(
      "foodhub_cache_keys",
      "Live cache entries per family.",
      cache.families.map((f) => [{ family: f.family }, f.keys]),
    );
  }
  return text.toString();
}
