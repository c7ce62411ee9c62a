import { createPosJobDeps } from "../../workers/jobs/pos-job-deps";
import { createPosJobs, type PosJobs } from "../../workers/jobs/pos-jobs";
import { CachingService } from "../cache/caching-service";
import type { AppDeps } from "../http/app-env";
import { HttpRequestMetrics } from "../http/request-metrics";
import { PosCircuitBreaker } from "../pos/circuit-breaker";
import { QueueMonitor } from "../queue/monitor";
import { Queue } from "../queue/queue";
import { PostgresFailedJobStore } from "./failed-job-store";
import { PosDispatcher } from "./pos-dispatch";
import { QueueMonitoringService } from "./queue-monitoring";
import { createRestaurantReads, type RestaurantReads } from "./restaurant-reads";

/**
 * The long-lived services the routes call, built once per app from its
 * dependencies. Each feature adds its service here, so handlers reach it as
 * `c.var.services.<name>` and tests get the real thing through `createApp`.
 */
export type AppServices = {
  queue: Queue;
  posJobs: PosJobs;
  posDispatch: PosDispatcher;
  cache: CachingService;
  restaurantReads: RestaurantReads;
  monitor: QueueMonitor;
  monitoring: QueueMonitoringService;
  httpMetrics: HttpRequestMetrics;
};

export function createAppServices(deps: AppDeps): AppServices {
  const cache = new CachingService(deps.redis, deps.logger.child({ component: "cache" }), {
    prefix: deps.config.REDIS_PREFIX,
    // On the edge (Redis over REST) the app lives for one request: a deferred invalidation would
    // be dropped with it, so a write must learn that the cache could not be invalidated.
    onInvalidationFailure: deps.redis.kind === "rest" ? "throw" : "defer",
  });
  const queue = new Queue({ redis: deps.redis, prefix: deps.config.REDIS_PREFIX, shards: deps.config.QUEUE_SHARDS });
  const posJobs = createPosJobs(
    createPosJobDeps({
      db: deps.db,
      breakerFor: (restaurantId, posType) =>
        new PosCircuitBreaker({ redis: deps.redis, prefix: deps.config.REDIS_PREFIX, restaurantId, posType }),
      invalidateMenu: (restaurantId) => cache.invalidateMenu(restaurantId),
    }),
  );
  const monitor = new QueueMonitor({
    redis: deps.redis,
    prefix: deps.config.REDIS_PREFIX,
    shards: deps.config.QUEUE_SHARDS,
    jobs: posJobs.all,
    failedStore: new PostgresFailedJobStore(deps.db),
  });
  const monitoringDeps = { db: deps.db, redis: deps.redis, prefix: deps.config.REDIS_PREFIX };
  return {
    queue,
    posJobs,
    posDispatch: new PosDispatcher(deps.db, queue, posJobs, deps.logger),
    cache,
    restaurantReads: createRestaurantReads(deps.db, cache),
    monitor,
    monitoring: new QueueMonitoringService(monitor, posJobs.all, monitoringDeps),
    httpMetrics: new HttpRequestMetrics(),
  };
}
