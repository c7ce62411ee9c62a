import type { Database } from "../db/client";
import { CachingService } from "../src/cache/caching-service";
import type { Config } from "../src/config";
import type { Logger } from "../src/logger";
import { createPaymentProvider } from "../src/payments/create-payment-provider";
import { type CircuitBreakerSettings, PosCircuitBreaker } from "../src/pos/circuit-breaker";
import { DEFAULT_MAX_INLINE_RETRY_AFTER_MS } from "../src/pos/http";
import { type PosCallMetrics, processPosCallMetrics } from "../src/pos/pos-call-metrics";
import { connectionRateLimit, PosRateLimiter } from "../src/pos/rate-limiter";
import { QueueMonitor } from "../src/queue/monitor";
import { Queue } from "../src/queue/queue";
import { Worker } from "../src/queue/worker";
import type { WorkerOptions } from "../src/queue/worker-options";
import type { RedisConnection } from "../src/redis/types";
import { PostgresFailedJobStore } from "../src/services/monitoring/failed-job-store";
import { HttpRequestMetrics } from "../src/services/monitoring/http-request-metrics";
import { metricsExposition } from "../src/services/monitoring/metrics-exposition";
import { QueueAlertNotifier } from "../src/services/monitoring/queue-alerts";
import { PosDispatcher } from "../src/services/pos-sync/pos-dispatch";
import { APP_JOB_CONTRACTS } from "../src/sync/app-job-contracts";
import { createPosJobDeps } from "./jobs/pos-job-deps";
import type { PosJobs } from "./jobs/pos-jobs";
import { createRecordJobBatch } from "./jobs/record-job-batch";
import { type PosSchedulerOptions, startPosScheduler } from "./pos-scheduler";
import { createJobRegistry } from "./registry";

export type PosRuntimeOptions = {
  config: Config;
  db: Database;
  redis: RedisConnection;
  logger: Logger;
  /** Worker settings beyond the defaults (queues, concurrency, mode, intervals). */
  worker?: Partial<Omit<WorkerOptions, "redis" | "prefix" | "jobs" | "failedStore">>;
  /** Multiplies job backoffs and timeouts (tests and the soak run only). */
  timeScale?: number;
  breaker?: Partial<CircuitBreakerSettings>;
  /** Sweeper and scheduled pulls; false to run the handlers alone. */
  scheduler?: Partial<Pick<PosSchedulerOptions, "tickMs" | "inventoryEveryMs" | "menuEveryMs">> | false;
  /** How often a status line is logged (ms); 0 = never. */
  statusIntervalMs?: number;
  /** Where this process's POS calls are counted (default: the process's own counters). */
  posMetrics?: PosCallMetrics;
};

export type PosRuntime = {
  worker: Worker;
  jobs: PosJobs;
  queue: Queue;
  /** This process's `/metrics` body (the worker's `--metrics-port` serves it). */
  metricsText(): Promise<string>;
  stop(): Promise<void>;
};

/**
 * The registry's jobs (the seven POS sync jobs, SettleCardPayment, RefundCardPayment, QueuePing and RecordJobBatch) on
 * a queue Worker with the Postgres failed-job store, not started: a process calls `start()`, the
 * Workers Cron Trigger `drainOnce()`.
 */
export function createPosWorker(options: Omit<PosRuntimeOptions, "scheduler" | "statusIntervalMs">) {
  const { config, db, redis, logger } = options;
  const prefix = config.REDIS_PREFIX;
  const posMetrics = options.posMetrics ?? processPosCallMetrics;
  // The worker never reads the cache, so a deferred invalidation would never be applied: fail the job instead.
  const cache = new CachingService(redis, logger.child({ component: "cache" }), {
    prefix,
    onInvalidationFailure: "throw",
  });
  const queue = new Queue({ redis, prefix, shards: config.QUEUE_SHARDS });
  const dispatcher = new PosDispatcher(db, queue, logger);
  const vendorRateLimits = {
    square: config.POS_RATE_LIMIT_SQUARE_PER_SECOND,
    toast: config.POS_RATE_LIMIT_TOAST_PER_SECOND,
    local: config.POS_RATE_LIMIT_LOCAL_PER_SECOND,
  };
  const registry = createJobRegistry(
    createPosJobDeps({
      db,
      posMetrics,
      breakerFor: (restaurantId, posType) =>
        new PosCircuitBreaker({ redis, prefix, restaurantId, posType, settings: options.breaker }),
      invalidateMenu: (restaurantId) => cache.invalidateMenu(restaurantId),
      throttleFor: (connection) =>
        new PosRateLimiter({
          redis,
          prefix,
          restaurantId: connection.restaurantId,
          posType: connection.posType,
          limit: connectionRateLimit(vendorRateLimits, connection),
          // Like the inline Retry-After: a wait in the worker must fit the (scaled) job timeout.
          maxWaitMs: config.POS_RATE_LIMIT_MAX_WAIT_MS * (options.timeScale ?? 1),
        }),
      timeScale: options.timeScale,
      // With time compressed, an inline wait must shrink with the jobs' timeouts.
      maxInlineRetryAfterMs:
        options.timeScale === undefined ? undefined : DEFAULT_MAX_INLINE_RETRY_AFTER_MS * options.timeScale,
    }),
    { db, provider: createPaymentProvider(config), dispatcher, logger: logger.child({ component: "payments" }) },
    { timeScale: options.timeScale },
    {
      recordJobBatch: createRecordJobBatch({
        db,
        batches: queue.batches,
        retentionDays: config.JOB_BATCH_RETENTION_DAYS,
      }),
    },
  );
  const failedStore = new PostgresFailedJobStore(db);
  const worker = new Worker({
    shards: config.QUEUE_SHARDS,
    pollSpinUs: config.WORKER_POLL_SPIN_US,
    logger: logger.child({ component: "worker" }),
    ...options.worker,
    redis,
    prefix,
    jobs: registry.all,
    failedStore,
  });
  return { registry, failedStore, queue, worker, dispatcher, cache };
}

/**
 * One worker process: `createPosWorker`'s worker, started, with the
 * sweeper and the scheduled POS pulls, and a periodic status line. Used by
 * `bun run worker`, the dev command, the soak run and the end-to-end tests.
 */
export async function startPosRuntime(options: PosRuntimeOptions): Promise<PosRuntime> {
  const { config, db, redis, logger } = options;
  const prefix = config.REDIS_PREFIX;
  const { registry, failedStore, queue, worker, dispatcher, cache } = createPosWorker(options);
  const jobs = registry.pos;
  await worker.start();
  const info = worker.info();
  logger.info(
    `worker ${worker.id} started: queues=${info.queues.join(",")} concurrency=${info.concurrency} shards=${info.shards} mode=${info.mode} jobs=${registry.all.map((j) => j.name).join(",")}`,
  );
  const longWaitMs = config.QUEUE_LONG_WAIT_SECONDS * 1000;
  const monitor = new QueueMonitor({
    redis,
    prefix,
    shards: config.QUEUE_SHARDS,
    queues: info.queues,
    jobs: registry.all,
    failedStore,
    longWaitMs,
  });
  const statusIntervalMs = options.statusIntervalMs ?? 60_000;
  const status =
    statusIntervalMs > 0 ? setInterval(() => void logStatus(worker, monitor, logger), statusIntervalMs) : null;
  // Alerts look at every app queue (the monitor's default), not only the ones this worker serves:
  // a queue nobody serves is the one that waits longest.
  const alertMonitor = new QueueMonitor({
    redis,
    prefix,
    shards: config.QUEUE_SHARDS,
    jobs: registry.all,
    failedStore,
    longWaitMs,
  });
  const notifier = config.ALERT_WEBHOOK_URL
    ? new QueueAlertNotifier({
        monitor: alertMonitor,
        redis,
        prefix,
        logger: logger.child({ component: "alerts" }),
        settings: {
          webhookUrl: config.ALERT_WEBHOOK_URL,
          windowMs: config.ALERT_WINDOW_SECONDS * 1000,
          failureRate: config.ALERT_FAILURE_RATE,
          failureMinCount: config.ALERT_FAILURE_MIN,
        },
      })
    : null;
  const alerts = notifier
    ? setInterval(
        () =>
          void notifier.check().catch((error: Error) => logger.warn("alert check failed", { error: error.message })),
        config.ALERT_CHECK_SECONDS * 1000,
      )
    : null;
  const scheduler =
    options.scheduler === false
      ? null
      : startPosScheduler({
          db,
          redis,
          prefix,
          queue,
          dispatcher,
          logger,
          ...options.scheduler,
        });
  return {
    worker,
    jobs,
    queue,
    metricsText: () =>
      metricsExposition({
        monitor: alertMonitor,
        jobs: APP_JOB_CONTRACTS,
        cache,
        // A worker serves no HTTP requests; its exposition has the same families, the HTTP one empty.
        http: new HttpRequestMetrics(),
        posCalls: options.posMetrics ?? processPosCallMetrics,
        db,
        redis,
        prefix,
        commit: config.BUILD_COMMIT,
      }),
    async stop() {
      // Reverse order of start: no status or alerts, no new dispatches, then drain the handlers.
      if (alerts) clearInterval(alerts);
      if (status) clearInterval(status);
      scheduler?.stop();
      await worker.stop();
    },
  };
}

/** One line of what the worker did, plus a warning per queue whose oldest job waits too long. */
async function logStatus(worker: Worker, monitor: QueueMonitor, logger: Logger): Promise<void> {
  const info = worker.info();
  const overview = await monitor.overview().catch(() => []);
  const depth = overview.map((o) => `${o.queue}=${o.waiting}w/${o.inFlight}r/${o.delayed}d`).join(" ");
  logger.info(
    `worker ${info.state}: processed=${info.processed} failed=${info.failed} retried=${info.retried} released=${info.released} in_flight=${info.inFlight.length} ${depth}`,
  );
  for (const o of overview.filter((q) => q.longWait)) {
    logger.warn("long wait", {
      queue: o.queue,
      oldestWaitingMs: o.oldestWaitingMs,
      thresholdMs: o.longWaitThresholdMs,
    });
  }
}
