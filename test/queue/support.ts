import { afterEach } from "bun:test";
import { z } from "zod";
import type { Clock } from "../../src/queue/clock";
import { type AnyJobDefinition, defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Queue } from "../../src/queue/queue";
import { Worker } from "../../src/queue/worker";
import type { WorkerOptions } from "../../src/queue/worker-options";
import type { RedisConnection } from "../../src/redis/types";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

/** A clock tests move by hand, so backoffs of minutes pass in no time. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  label = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await Bun.sleep(10);
  }
}

/** Fast timer settings so tests see promotions and reclaims within milliseconds. */
export const fastTimers = {
  blockMs: 200,
  promoteIntervalMs: 20,
  stallCheckIntervalMs: 100,
  heartbeatIntervalMs: 200,
  metricsFlushIntervalMs: 50,
} satisfies Partial<WorkerOptions>;

export type QueueWorld = {
  redis: RedisConnection;
  prefix: string;
  queue: Queue;
  worker(options: Partial<WorkerOptions> & { jobs: readonly AnyJobDefinition[] }): Worker;
};

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** An isolated queue: its own prefix and connection; workers and keys are cleaned up after the test. */
export async function queueWorld(options: { shards?: number; clock?: Clock } = {}): Promise<QueueWorld> {
  const redis = await testRedis();
  const prefix = uniquePrefix("queue");
  const queue = new Queue({ redis, prefix, shards: options.shards, clock: options.clock });
  cleanups.push(async () => {
    await deleteKeys(redis, `{${prefix}:`);
    redis.close();
  });
  return {
    redis,
    prefix,
    queue,
    worker(workerOptions) {
      const worker = new Worker({
        redis,
        prefix,
        shards: options.shards,
        clock: options.clock,
        logger: consoleLogger(process.env.QUEUE_TEST_LOG === "1" ? "debug" : "silent"),
        ...fastTimers,
        ...workerOptions,
      });
      cleanups.push(() => worker.stop());
      return worker;
    },
  };
}

/** A one-try job that records each payload's label in `seen`, in the order the worker ran them. */
export function recordingJob(name: string, queue: string, seen: string[]) {
  return defineJob({
    name,
    queue,
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ label: z.string() }),
    handle(p) {
      seen.push(p.label);
    },
  });
}
