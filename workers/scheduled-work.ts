import type { Database } from "../db/client";
import type { Config } from "../src/config";
import type { Logger } from "../src/logger";
import type { WorkerInfo } from "../src/queue/worker-registry";
import type { RedisConnection } from "../src/redis/types";
import { PosDispatcher } from "../src/services/pos-sync/pos-dispatch";
import { createPosWorker } from "./pos-runtime";
import { posScheduleTick } from "./pos-scheduler";

/** Handlers at once in one call: Workers allow six simultaneous outgoing connections per invocation. */
const SCHEDULED_CONCURRENCY = 6;

export type ScheduledWorkOptions = {
  config: Config;
  db: Database;
  redis: RedisConnection;
  logger: Logger;
  /** The scheduled time of the call (ms); schedule slots are claimed for it. */
  now?: number;
};

/**
 * What one Workers Cron Trigger call does for a deployment without a Bun worker: one round of the
 * POS schedule (the sweeper for `pending` orders and payments, due inventory and menu pulls), then
 * one bounded pass of the queue (`Worker.drainOnce`: promotion, stall recovery, non-blocking reads
 * for `SCHEDULED_BUDGET_MS`, the same handlers, acks, retries and failed-job store as `bun run worker`).
 */
export async function runScheduledWork(options: ScheduledWorkOptions): Promise<WorkerInfo> {
  const { config, db, redis, logger } = options;
  const log = logger.child({ component: "scheduled" });
  const { queue, worker } = createPosWorker({
    config,
    db,
    redis,
    logger,
    worker: { id: `edge-cron-${crypto.randomUUID().slice(0, 8)}`, concurrency: SCHEDULED_CONCURRENCY },
  });
  const tick = posScheduleTick({
    db,
    redis,
    prefix: config.REDIS_PREFIX,
    queue,
    dispatcher: new PosDispatcher(db, queue, log),
  });
  try {
    await tick(options.now);
  } catch (error) {
    // Rows stay `pending` for the next call; the queue may still hold work, so drain anyway.
    log.warn("scheduled sweep failed", { error: (error as Error).message });
  }
  const info = await worker.drainOnce({ budgetMs: config.SCHEDULED_BUDGET_MS });
  log.info("scheduled work done", {
    worker: info.id,
    processed: info.processed,
    failed: info.failed,
    retried: info.retried,
    released: info.released,
    dropped: info.dropped,
  });
  return info;
}
