import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { QueueMonitor } from "../../src/queue/monitor";
import { queueWorld, waitFor } from "./support";

/** Production timing: long blocking reads and rare promotions, where a stale pause used to leak. */
const productionTimers = { blockMs: 10_000, promoteIntervalMs: 10_000 };

function trackedJob(started: Array<{ n: number; afterPause: boolean }>, runMs = 0) {
  return defineJob({
    name: "Tracked",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ n: z.number(), afterPause: z.boolean() }),
    async handle(p) {
      started.push(p);
      if (runMs > 0) await Bun.sleep(runMs);
    },
  });
}

async function waiting(world: Awaited<ReturnType<typeof queueWorld>>, queue: string): Promise<number> {
  const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix, queues: [queue] });
  const [overview] = await monitor.overview();
  return overview?.waiting ?? 0;
}

describe("pausing a queue", () => {
  it("holds a job dispatched right after pause() returned to an idle worker, until resume", async () => {
    const world = await queueWorld();
    const started: Array<{ n: number; afterPause: boolean }> = [];
    const job = trackedJob(started);
    const worker = world.worker({ jobs: [job], ...productionTimers });
    await worker.start();
    await world.queue.dispatch(job, { n: 0, afterPause: false });
    await waitFor(() => started.length === 1, 10_000, "the first job");
    // The worker is now blocked waiting for new entries.
    await Bun.sleep(100);
    await world.queue.pause("default");
    await world.queue.dispatch(job, { n: 1, afterPause: true });
    await Bun.sleep(1500);
    expect(started.map((s) => s.n)).toEqual([0]);
    expect(await waiting(world, "default")).toBe(1);

    await world.queue.resume("default");
    await waitFor(() => started.length === 2, 5000, "the held job after resume");
    expect(started.map((s) => s.n)).toEqual([0, 1]);
  }, 30_000);

  it("starts nothing dispatched after pause() returned to a busy worker", async () => {
    const world = await queueWorld();
    const started: Array<{ n: number; afterPause: boolean }> = [];
    const job = trackedJob(started, 5);
    const worker = world.worker({ jobs: [job], concurrency: 3, ...productionTimers });
    await worker.start();
    let n = 0;
    let afterPause = false;
    let dispatching = true;
    const producer = (async () => {
      while (dispatching) {
        await world.queue.dispatch(job, { n: n++, afterPause });
        await Bun.sleep(20);
      }
    })();
    await waitFor(() => started.length >= 5, 10_000, "a busy worker");
    await world.queue.pause("default");
    afterPause = true;
    await Bun.sleep(1500);
    dispatching = false;
    await producer;
    expect(started.filter((s) => s.afterPause)).toEqual([]);
    const held = await waiting(world, "default");
    expect(held).toBeGreaterThan(0);

    await world.queue.resume("default");
    await waitFor(() => started.length === n, 20_000, "every job after resume");
    expect(new Set(started.map((s) => s.n)).size).toBe(n);
  }, 40_000);
});
