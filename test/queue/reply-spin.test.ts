import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { spinUntilSettled } from "../../src/queue/reply-spin";
import { DEFAULT_POLL_SPIN_US, MAX_POLL_SPIN_US, resolveWorkerOptions } from "../../src/queue/worker-options";
import type { RedisConnection } from "../../src/redis/types";
import { queueWorld, recordingJob, waitFor } from "./support";

/** Runs `spinUntilSettled` and resolves with its turns and when it ended. */
function spin(
  reply: Promise<unknown>,
  maxUs: number,
  keepGoing?: () => boolean,
): Promise<{ turns: number; endedAt: number }> {
  return new Promise((resolve) =>
    spinUntilSettled(reply, maxUs, { keepGoing, onEnd: (turns) => resolve({ turns, endedAt: performance.now() }) }),
  );
}

/** The connection and its duplicates, each script call answered `delayMs` late. */
function slowScripts(redis: RedisConnection, delayMs: number): RedisConnection {
  const wrap = (connection: RedisConnection): RedisConnection => ({
    kind: connection.kind,
    async send(command, args) {
      if (command === "EVALSHA" || command === "EVAL") await Bun.sleep(delayMs);
      return connection.send(command, args);
    },
    pipeline: (commands) => connection.pipeline(commands),
    duplicate: async () => wrap(await connection.duplicate()),
    close: () => connection.close(),
  });
  return wrap(redis);
}

describe("busy-polling for a reply (ADR 0035)", () => {
  it("keeps the event loop turning until the reply comes, and stops then", async () => {
    let settledAt = 0;
    // The timer that settles the reply must still fire while the loop spins.
    const reply = new Promise<void>((resolve) =>
      setTimeout(() => {
        settledAt = performance.now();
        resolve();
      }, 30),
    );
    const { turns, endedAt } = await spin(reply, 5_000_000);
    expect(settledAt).toBeGreaterThan(0);
    expect(turns).toBeGreaterThan(1);
    // Ended with the reply, not at the end of its five-second window.
    expect(endedAt).toBeGreaterThanOrEqual(settledAt);
    expect(endedAt - settledAt).toBeLessThan(2_000);
  });

  it("stops when a reply fails", async () => {
    const reply = Bun.sleep(20).then(() => {
      throw new Error("connection lost");
    });
    reply.catch(() => undefined);
    const startedAt = performance.now();
    const { endedAt } = await spin(reply, 5_000_000);
    expect(endedAt - startedAt).toBeLessThan(2_000);
  });

  it("gives up at the end of its window when no reply comes", async () => {
    const startedAt = performance.now();
    const { turns, endedAt } = await spin(new Promise(() => undefined), 50_000);
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(50);
    expect(turns).toBeGreaterThan(1);
  });

  it("stops as soon as the process has other work", async () => {
    let work = false;
    setTimeout(() => {
      work = true;
    }, 20);
    const startedAt = performance.now();
    const { endedAt } = await spin(new Promise(() => undefined), 5_000_000, () => !work);
    expect(work).toBe(true);
    expect(endedAt - startedAt).toBeLessThan(2_000);
  });

  it("does nothing with a window of 0", async () => {
    const { turns } = await spin(new Promise(() => undefined), 0);
    expect(turns).toBe(0);
  });

  it("is on by default for workers, can be turned off, and never spins without bound", () => {
    const base = { redis: {} as RedisConnection, prefix: "p", jobs: [] };
    expect(resolveWorkerOptions(base).pollSpinUs).toBe(DEFAULT_POLL_SPIN_US);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: 0 }).pollSpinUs).toBe(0);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: -5 }).pollSpinUs).toBe(0);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: 1e9 }).pollSpinUs).toBe(MAX_POLL_SPIN_US);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: Number.POSITIVE_INFINITY }).pollSpinUs).toBe(0);
  });

  for (const pollSpinUs of [DEFAULT_POLL_SPIN_US, 0]) {
    it(`a one-at-a-time worker ${pollSpinUs ? "polls for its reads' replies" : "sleeps when told to"}, with strict priority exact`, async () => {
      const world = await queueWorld();
      const seen: string[] = [];
      const high = recordingJob("SpinHigh", "high", seen);
      const normal = recordingJob("SpinDefault", "default", seen);
      const low = recordingJob("SpinLow", "low", seen);
      const labels = (prefix: string) => Array.from({ length: 10 }, (_, i) => ({ label: `${prefix}${i}` }));
      await world.queue.dispatchMany(low, labels("l"));
      await world.queue.dispatchMany(normal, labels("d"));
      await world.queue.dispatchMany(high, labels("h"));
      const worker = world.worker({ jobs: [high, normal, low], concurrency: 1, pollSpinUs });
      await worker.start();
      await waitFor(() => seen.length === 30, 10_000, "every job to run");
      expect(seen).toEqual([...labels("h"), ...labels("d"), ...labels("l")].map((p) => p.label));
      // Every busy read but the last few (which find the queues empty) comes with a free slot
      // and nothing running.
      if (pollSpinUs > 0) expect(worker.spunReads).toBeGreaterThanOrEqual(20);
      else expect(worker.spunReads).toBe(0);
    });
  }

  it("does not spin while a handler runs", async () => {
    const world = await queueWorld();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowStarted = false;
    const slow = defineJob({
      name: "SpinSlow",
      queue: "high",
      tries: 1,
      backoff: [],
      timeout: 10,
      payload: z.object({}),
      async handle() {
        slowStarted = true;
        await held;
      },
    });
    const seen: string[] = [];
    const quick = recordingJob("SpinQuick", "default", seen);
    const worker = world.worker({ jobs: [slow, quick], concurrency: 2, pollSpinUs: DEFAULT_POLL_SPIN_US });
    await worker.start();
    await world.queue.dispatch(slow, {});
    await waitFor(() => slowStarted, 5_000, "the slow job to start");
    const spunBefore = worker.spunReads;
    await world.queue.dispatchMany(
      quick,
      Array.from({ length: 20 }, (_, i) => ({ label: `q${i}` })),
    );
    await waitFor(() => seen.length === 20, 10_000, "the quick jobs to run beside the slow one");
    expect(worker.spunReads).toBe(spunBefore);
    release();
  });

  it("stops spinning for a Redis that answers slower than the window", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const job = recordingJob("SpinFar", "default", seen);
    await world.queue.dispatchMany(
      job,
      Array.from({ length: 10 }, (_, i) => ({ label: `f${i}` })),
    );
    // Every read takes 5 ms, ten times the window.
    const worker = world.worker({ jobs: [job], concurrency: 1, pollSpinUs: 500, redis: slowScripts(world.redis, 5) });
    await worker.start();
    await waitFor(() => seen.length === 10, 10_000, "every job to run");
    // Only the first read, before any reply was timed, spun.
    expect(worker.spunReads).toBe(1);
  });
});
