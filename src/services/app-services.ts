import { sql } from "drizzle-orm";
import { loadPrincipal } from "../auth/load-principal";
import { PrincipalCache } from "../auth/principal-cache";
import { createTokenVerifier } from "../auth/token-verifier";
import { type CachedJson, CachingService } from "../cache/caching-service";
import type { AppDeps } from "../kernel/app-deps";
import { createPaymentProvider } from "../payments/create-payment-provider";
import { processPosCallMetrics } from "../pos/pos-call-metrics";
import { QueueMonitor } from "../queue/monitor";
import { Queue } from "../queue/queue";
import { RateLimiter } from "../rate-limit/rate-limiter";
import { APP_JOB_CONTRACTS } from "../sync/app-job-contracts";
import { type AnalyticsMetric, getAnalytics } from "./analytics/analytics";
import type { DateRange } from "./analytics/analytics-window";
import { BatchService } from "./batches/batch-service";
import { createLoyaltyAdmin, type LoyaltyAdmin } from "./loyalty/loyalty-admin";
import { PostgresFailedJobStore } from "./monitoring/failed-job-store";
import { HttpRequestMetrics } from "./monitoring/http-request-metrics";
import { metricsExposition } from "./monitoring/metrics-exposition";
import { QueueMonitoringService } from "./monitoring/queue-monitoring";
import { createOrderService, type OrderService } from "./orders/order-service";
import { PosDispatcher } from "./pos-sync/pos-dispatch";
import { createPosSyncService, type PosSyncService } from "./pos-sync/pos-webhooks";
import { createMenuAvailability, type MenuAvailability } from "./restaurants/menu-availability";
import { createRestaurantReads, type RestaurantReads } from "./restaurants/restaurant-reads";

/**
 * The long-lived services the routes call, built once per app from its
 * dependencies. Each feature adds its service here, so handlers reach it as
 * `c.var.services.<name>` and tests get the real thing through `createApp`.
 */
export type AppServices = {
  queue: Queue;
  posDispatch: PosDispatcher;
  posSync: PosSyncService;
  orders: OrderService;
  analytics: (metric: AnalyticsMetric, restaurantId: number, range: DateRange) => Promise<CachedJson>;
  /** Readiness probes of the app's backing services. */
  readiness: { database(): Promise<unknown>; redis(): Promise<unknown> };
  cache: CachingService;
  restaurantReads: RestaurantReads;
  loyalty: LoyaltyAdmin;
  menuAvailability: MenuAvailability;
  monitor: QueueMonitor;
  monitoring: QueueMonitoringService;
  batches: BatchService;
  httpMetrics: HttpRequestMetrics;
  /** `GET /metrics`'s body (Prometheus text). */
  metricsText(): Promise<string>;
  principals: PrincipalCache;
  rateLimiter: RateLimiter;
};

export function createAppServices(deps: AppDeps): AppServices {
  const cache = new CachingService(deps.redis, deps.logger.child({ component: "cache" }), {
    prefix: deps.config.REDIS_PREFIX,
    // On the edge (Redis over REST) the app lives for one request: a deferred invalidation would
    // be dropped with it, so a write must learn that the cache could not be invalidated.
    onInvalidationFailure: deps.redis.kind === "rest" ? "throw" : "defer",
  });
  const queue = new Queue({ redis: deps.redis, prefix: deps.config.REDIS_PREFIX, shards: deps.config.QUEUE_SHARDS });
  const monitor = new QueueMonitor({
    redis: deps.redis,
    prefix: deps.config.REDIS_PREFIX,
    shards: deps.config.QUEUE_SHARDS,
    jobs: APP_JOB_CONTRACTS,
    failedStore: new PostgresFailedJobStore(deps.db),
    workerRetentionMs: deps.config.WORKER_RETENTION_SECONDS * 1000,
    longWaitMs: deps.config.QUEUE_LONG_WAIT_SECONDS * 1000,
  });
  const monitoringDeps = { db: deps.db, redis: deps.redis, prefix: deps.config.REDIS_PREFIX };
  const posDispatch = new PosDispatcher(deps.db, queue, deps.logger);
  const httpMetrics = deps.httpMetrics ?? new HttpRequestMetrics();
  return {
    queue,
    posDispatch,
    posSync: createPosSyncService({
      db: deps.db,
      redis: deps.redis,
      prefix: deps.config.REDIS_PREFIX,
      queue,
      logger: deps.logger,
      toleranceSeconds: deps.config.WEBHOOK_TOLERANCE_SECONDS,
    }),
    orders: createOrderService(deps.db, posDispatch, {
      provider: createPaymentProvider(deps.config),
      logger: deps.logger.child({ component: "payments" }),
    }),
    analytics: (metric, restaurantId, range) => getAnalytics(deps.db, cache, metric, restaurantId, range),
    readiness: {
      database: () => deps.db.execute(sql`select 1`),
      redis: () => deps.redis.send("PING", []),
    },
    cache,
    restaurantReads: createRestaurantReads(deps.db, cache),
    loyalty: createLoyaltyAdmin(deps.db, cache),
    menuAvailability: createMenuAvailability(deps.db, cache),
    monitor,
    monitoring: new QueueMonitoringService(monitor, APP_JOB_CONTRACTS, monitoringDeps),
    batches: new BatchService(deps.db, queue),
    httpMetrics,
    metricsText: () =>
      metricsExposition({
        monitor,
        jobs: APP_JOB_CONTRACTS,
        cache,
        http: httpMetrics,
        posCalls: deps.posCalls ?? processPosCallMetrics,
        db: deps.db,
        redis: deps.redis,
        prefix: deps.config.REDIS_PREFIX,
        commit: deps.config.BUILD_COMMIT,
      }),
    principals: new PrincipalCache({
      redis: deps.redis,
      prefix: deps.config.REDIS_PREFIX,
      verify: createTokenVerifier(deps.config, deps.db),
      load: (userId) => loadPrincipal(deps.db, userId),
      keep: !deps.perRequest,
    }),
    rateLimiter: new RateLimiter({
      redis: deps.redis,
      prefix: deps.config.REDIS_PREFIX,
      logger: deps.logger.child({ component: "rate-limit" }),
    }),
  };
}
