import { z } from "zod";
import { NonRetryableError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Queue } from "../../src/queue/queue";
import { Worker } from "../../src/queue/worker";
import { PostgresFailedJobStore } from "../../src/services/monitoring/failed-job-store";
import { OrderSyncToPOS, PaymentSyncToPOS } from "../../src/sync/pos-job-contracts";
import type { TestApp } from "./app";

/** Polls until `check` is truthy, or throws after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs = 10_000, label = "condition") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await Bun.sleep(20);
  }
}

/**
 * Real jobs in the test app's queue: the POS job contracts dispatch waiting and delayed jobs,
 * and a real Worker on the `low` queue runs a test-local `MenuSyncFromPOS` that fails the first
 * try of a job (so a retried job then succeeds) or holds it in flight until `release()`.
 */
export async function monitoringWorld(t: TestApp) {
  const queue = new Queue({ redis: t.redis, prefix: t.config.REDIS_PREFIX, shards: t.config.QUEUE_SHARDS });
  const store = new PostgresFailedJobStore(t.db);
  const failedOnce = new Set<string>();
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const menuSync = defineJob({
    name: "MenuSyncFromPOS",
    queue: "low",
    tries: 1,
    backoff: [],
    // Long enough that a held job stays in flight through a slow browser test run.
    timeout: 600,
    payload: z.object({ restaurantId: z.number().int(), mode: z.enum(["fail", "hold"]) }),
    partitionKey: (p) => String(p.restaurantId),
    async handle(p, ctx) {
      if (p.mode === "hold") return held;
      if (failedOnce.has(ctx.jobId)) return;
      failedOnce.add(ctx.jobId);
      throw new NonRetryableError(`menu of restaurant ${p.restaurantId} rejected by the POS`);
    },
  });
  const worker = new Worker({
    redis: t.redis,
    prefix: t.config.REDIS_PREFIX,
    shards: t.config.QUEUE_SHARDS,
    jobs: [menuSync],
    queues: ["low"],
    concurrency: 4,
    failedStore: store,
    logger: consoleLogger("silent"),
    blockMs: 100,
    promoteIntervalMs: 50,
    heartbeatIntervalMs: 100,
    metricsFlushIntervalMs: 50,
  });
  await queue.ensureGroups(["high", "default", "low"]);
  await worker.start();

  return {
    queue,
    store,
    worker,
    /** Dispatches a job that fails on its first try and resolves once it is in the failed store. */
    async failedJob(restaurantId: number): Promise<string> {
      const id = (await queue.dispatch(menuSync, { restaurantId, mode: "fail" }))!;
      await waitUntil(() => store.get(id), 10_000, `job ${id} in failed`);
      return id;
    },
    async heldJob(restaurantId: number): Promise<string> {
      const id = (await queue.dispatch(menuSync, { restaurantId, mode: "hold" }))!;
      await waitUntil(() => worker.info().inFlight.some((j) => j.jobId === id), 10_000, `job ${id} in flight`);
      return id;
    },
    waitingJob: (restaurantId: number, orderId: number) =>
      queue.dispatch(OrderSyncToPOS, { orderId, restaurantId }) as Promise<string>,
    delayedJob: (restaurantId: number, paymentId: number) =>
      queue.dispatch(PaymentSyncToPOS, { paymentId, restaurantId }, { delay: 600 }) as Promise<string>,
    async stop() {
      release();
      await worker.stop();
    },
  };
}

export type MonitoringWorld = Awaited<ReturnType<typeof monitoringWorld>>;
