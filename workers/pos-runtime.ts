import type { Database } from "../db/client";
import { CachingService } from "../src/cache/caching-service";
import type { Config } from "../src/config";
import type { Logger } from "../src/logger";
import { type CircuitBreakerSettings, PosCircuitBreaker } from "../src/pos/circuit-breaker";
import { Queue } from "../src/queue/queue";
import { Worker } from "../src/queue/worker";
import type { WorkerOptions } from "../src/queue/worker-options";
import type { RedisConnection } from "../src/redis/types";
import { PostgresFailedJobStore } from "../src/services/failed-job-store";
import { PosDispatcher } from "../src/services/pos-dispatch";
import { createPosJobDeps } from "./jobs/pos-job-deps";
import { createPosJobs, type PosJobs } from "./jobs/pos-jobs";
import { type PosSchedulerOptions, startPosScheduler } from "./pos-scheduler";

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
};

export type PosRuntime = { worker: Worker; jobs: PosJobs; queue: Queue; stop(): Promise<void> };

/**
 * One worker process's POS sync: the five jobs on a queue Worker with the
 * Postgres failed-job store, plus the sweeper and the scheduled pulls. Used
 * by `bun run worker`, the dev command and the end-to-end tests.
 */
export async function startPosRuntime(options: PosRuntimeOptions): Promise<PosRuntime> {
  const { config, db, redis, logger } = options;
  const prefix = config.REDIS_PREFIX;
  const cache = new CachingService(redis, logger.child({ component: "cache" }), { prefix });
  const jobs = createPosJobs(
    createPosJobDeps({
      db,
      breakerFor: (restaurantId, posType) =>
        new PosCircuitBreaker({ redis, prefix, restaurantId, posType, settings: options.breaker }),
      invalidateMenu: (restaurantId) => cache.invalidateMenu(restaurantId),
    }),
    { timeScale: options.timeScale },
  );
  const queue = new Queue({ redis, prefix, shards: config.QUEUE_SHARDS });
  const worker = new Worker({
    shards: config.QUEUE_SHARDS,
    logger: logger.child({ component: "worker" }),
    ...options.worker,
    redis,
    prefix,
    jobs: jobs.all,
    failedStore: new PostgresFailedJobStore(db),
  });
  await worker.start();
  const scheduler =
    options.scheduler === false
      ? null
      : startPosScheduler({
          db,
          redis,
          prefix,
          queue,
          jobs,
          dispatcher: new PosDispatcher(db, queue, jobs, logger),
          logger,
          ...options.scheduler,
        });
  return {
    worker,
    jobs,
    queue,
    async stop() {
      // Reverse order of start: no new dispatches, then drain the handlers.
      scheduler?.stop();
      await worker.stop();
    },
  };
}
