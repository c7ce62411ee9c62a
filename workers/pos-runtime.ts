import type { Database } from "../db/client";
import { CachingService } from "../src/cache/caching-service";
import type { Config } from "../src/config";
import type { Logger } from "../src/logger";
import { type CircuitBreakerSettings, PosCircuitBreaker } from "../src/pos/circuit-breaker";
import { DEFAULT_MAX_INLINE_RETRY_AFTER_MS } from "../src/pos/http";
import { QueueMonitor } from "../src/queue/monitor";
import { Queue } from "../src/queue/queue";
import { Worker } from "../src/queue/worker";
import type { WorkerOptions } from "../src/queue/worker-options";
import type { RedisConnection } from "../src/redis/types";
import { PostgresFailedJobStore } from "../src/services/monitoring/failed-job-store";
import { PosDispatcher } from "../src/services/pos-sync/pos-dispatch";
import { createPosJobDeps } from "./jobs/pos-job-deps";
import type { PosJobs } from "./jobs/pos-jobs";
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
};

export type PosRuntime = { worker: Worker; jobs: PosJobs; queue: Queue; stop(): Promise<void> };

/**
 * The registry's jobs (the five POS sync jobs and QueuePing) on a queue Worker
 * with the Postgres failed-job store, not started: a process calls `start()`,
 * the Workers Cron Trigger `drainOnce()`.
 */
export function createPosWorker(options: Omit<PosRuntimeOptions, "scheduler" | "statusIntervalMs">) {
  const { config, db, redis, logger } = options;
  const prefix = config.REDIS_PREFIX;
  // The worker never reads the cache, so a deferred invalidation would never be applied: fail the job instead.
  const cache = new CachingService(redis, logger.child({ component: "cache" }), {
    prefix,
    onInvalidationFailure: "throw",
  });
  const registry = createJobRegistry(
    createPosJobDeps({
      db,
      breakerFor: (restaurantId, posType) =>
        new PosCircuitBreaker({ redis, prefix, restaurantId, posType, settings: options.breaker }),
      invalidateMenu: (restaurantId) => cache.invalidateMenu(restaurantId),
      // With time compressed, an inline wait must shrink with the jobs' timeouts.
      maxInlineRetryAfterMs:
        options.timeScale === undefined ? undefined : DEFAULT_MAX_INLINE_RETRY_AFTER_MS * options.timeScale,
    }),
    { timeScale: options.timeScale },
  );
  const failedStore = new PostgresFailedJobStore(db);
  const queue = new Queue({ redis, prefix, shards: config.QUEUE_SHARDS });
  const worker = new Worker({
    shards: config.QUEUE_SHARDS,
    logger: logger.child({ component: "worker" }),
    ...options.worker,
    redis,
    prefix,
    jobs: registry.all,
    failedStore,
  });
  return { registry, failedStore, queue, worker };
}

/**
 * One worker process: the registry's jobs (the five POS sync jobs and
 * QueuePing) on a queue Worker with the Postgres failed-job store, the
 * sweeper and the scheduled POS pulls, and a periodic status line. Used by
 * `bun run worker`, the dev command, the soak run and the end-to-end tests.
 */
export async function startPosRuntime(options: PosRuntimeOptions): Promise<PosRuntime> {
  const { config, db, redis, logger } = options;
  const prefix = config.REDIS_PREFIX;
  const { registry, failedStore, queue, worker } = createPosWorker(options);
  const jobs = registry.pos;
  await worker.start();
  const info = worker.info();
  logger.info(
    `worker ${worker.id} started: queues=${info.queues.join(",")} concurrency=${info.concurrency} shards=${info.shards} mode=${info.mode} jobs=${registry.all.map((j) => j.name).join(",")}`,
  );
  const monitor = new QueueMonitor({
    redis,
    prefix,
    shards: config.QUEUE_SHARDS,
    queues: info.queues,
    jobs: registry.all,
    failedStore,
  });
  const statusIntervalMs = options.statusIntervalMs ?? 60_000;
  const status =
    statusIntervalMs > 0 ? setInterval(() => void logStatus(worker, monitor, logger), statusIntervalMs) : null;
  const scheduler =
    options.scheduler === false
      ? null
      : startPosScheduler({
          db,
          redis,
          prefix,
          queue,
          dispatcher: new PosDispatcher(db, queue, logger),
          logger,
          ...options.scheduler,
        });
  return {
    worker,
    jobs,
    queue,
    async stop() {
      // Reverse order of start: no status, no new dispatches, then drain the handlers.
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
