import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Worker } from "../../src/queue/worker";
import { RestRedis } from "../../src/redis/rest";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import { onCluster } from "../support/redis";
import { type QueueWorld, queueWorld, recordingJob, waitFor } from "./support";

/**
 * Pausing a queue takes effect before the next job is taken: the read checks the paused set in the
 * same atomic step as it takes entries, an idle worker waits without taking anything, entries
 * already in a worker's buffer go back, and stall recovery leaves a paused queue's entries alone.
 */

async function streamState(world: QueueWorld, queue: string) {
  const stream = world.queue.keys.shard(0).stream(queue);
  const waiting = Number(await world.redis.send("XLEN", [stream]));
  const pending = (await world.redis.send("XPENDING", [stream, world.queue.keys.group])) as unknown[];
  return { waiting, pending: Number(pending[0]) };
}

/** A promise and the function that settles it: a handler waits on it until the test opens it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("a paused queue", () => {
  it("keeps a job dispatched right after the pause from running on an idle worker, and runs it on resume", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const job = recordingJob("Idle", "default", seen);
    // A long block: the worker sits in one waiting read when the job arrives.
    const worker = world.worker({ jobs: [job], queues: ["default"], concurrency: 1, blockMs: 5_000 });
    await worker.start();
    await world.queue.dispatch(job, { label: "before" });
    await waitFor(() => seen.length === 1, 5_000, "the first job");
    await Bun.sleep(100);

    await world.queue.pause("default");
    await world.queue.dispatch(job, { label: "after pause" });
    await Bun.sleep(1_000);
    expect(seen).toEqual(["before"]);
    // Not taken either: it waits in the stream, claimed by no one.
    expect(await streamState(world, "default")).toEqual({ waiting: 1, pending: 0 });

    await world.queue.resume("default");
    await waitFor(() => seen.length === 2, 5_000, "the job after resume");
    expect(seen).toEqual(["before", "after pause"]);
    expect(worker.info().processed).toBe(2);
  }, 15_000);

  it("starts no job of the queue after pause() resolves on a busy worker, then runs the rest once each", async () => {
    const world = await queueWorld();
    const starts: Array<{ n: number; at: number }> = [];
    const third = gate();
    let thirdRunning = false;
    const job = defineJob({
      name: "Backlog",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ n: z.number() }),
      async handle(p) {
        starts.push({ n: p.n, at: performance.now() });
        if (p.n === 3) {
          thirdRunning = true;
          await third.opened;
        }
      },
    });
    const total = 10;
    await world.queue.dispatchMany(
      job,
      Array.from({ length: total }, (_, i) => ({ n: i + 1 })),
    );
    // Promotion ticks (which also refresh the paused set) a second apart while busy: a worker that
    // only learned of a pause from them would take the next job the moment job 3 ends.
    const worker = world.worker({ jobs: [job], queues: ["default"], concurrency: 1, promoteIntervalMs: 5_000 });
    await worker.start();
    await waitFor(() => thirdRunning, 5_000, "job 3 to start");

    await world.queue.pause("default");
    const pausedAt = performance.now();
    third.open();
    await Bun.sleep(1_500);

    // Job 3 started before pause() returned; nothing started after it.
    expect(starts.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(starts.filter((s) => s.at > pausedAt)).toEqual([]);
    expect(await streamState(world, "default")).toEqual({ waiting: total - 3, pending: 0 });

    await world.queue.resume("default");
    await waitFor(() => starts.length === total, 10_000, "the backlog after resume");
    await Bun.sleep(100);
    expect(starts.map((s) => s.n)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    await waitFor(async () => (await streamState(world, "default")).waiting === 0, 5_000, "every ack");
    expect(await streamState(world, "default")).toEqual({ waiting: 0, pending: 0 });
  }, 20_000);

  it("hands an entry waiting in the worker's buffer back instead of starting it, and runs it once on resume", async () => {
    const world = await queueWorld();
    const runs: string[] = [];
    const long = gate();
    let longRunning = false;
    const longJob = defineJob({
      name: "Long",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({}),
      async handle() {
        runs.push("long");
        longRunning = true;
        await long.opened;
      },
    });
    // Stalled 500 ms after a read that never finished (timeout 0.5 s, no grace).
    const buffered = defineJob({
      name: "Buffered",
      queue: "low",
      tries: 1,
      backoff: [],
      timeout: 0.5,
      payload: z.object({}),
      handle: () => void runs.push("buffered"),
    });
    const group = world.queue.keys.group;
    const low = world.queue.keys.shard(0).stream("low");
    await world.queue.ensureGroups(["default", "low"]);
    await world.queue.dispatch(longJob, {});
    // A worker that read this entry and died: once it stalls, the worker below reclaims it. Delivered
    // twice and never finished, it is a suspect, which waits in the buffer until nothing else runs.
    await world.queue.dispatch(buffered, {});
    await world.redis.send("XREADGROUP", ["GROUP", group, "died", "COUNT", 1, "STREAMS", low, ">"]);
    const worker = world.worker({
      jobs: [longJob, buffered],
      queues: ["default", "low"],
      concurrency: 2,
      stallGraceMs: 0,
      stallCheckIntervalMs: 50,
    });
    await worker.start();
    await waitFor(() => longRunning, 5_000, "the long job to start");
    await waitFor(
      async () => {
        const rows = (await world.redis.send("XPENDING", [low, group, "-", "+", 10])) as unknown[][];
        return rows.length === 1 && rows[0]![1] === worker.id;
      },
      5_000,
      "the worker to reclaim the entry into its buffer",
    );
    expect(runs).toEqual(["long"]);

    await world.queue.pause("low");
    await Bun.sleep(300);
    // The slot frees: a buffered entry would start now if it were still there.
    long.open();
    await Bun.sleep(500);
    expect(runs).toEqual(["long"]);
    // Back in the stream, claimed by no one, and left there by stall recovery.
    expect(await streamState(world, "low")).toEqual({ waiting: 1, pending: 0 });

    await world.queue.resume("low");
    await waitFor(() => runs.length === 2, 5_000, "the entry after resume");
    await Bun.sleep(300);
    expect(runs).toEqual(["long", "buffered"]);
    await waitFor(async () => (await streamState(world, "low")).waiting === 0, 5_000, "the ack");
    expect(await streamState(world, "low")).toEqual({ waiting: 0, pending: 0 });
    expect(await streamState(world, "default")).toEqual({ waiting: 0, pending: 0 });
  }, 20_000);

  it("keeps the other queues running", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const normal = recordingJob("Normal", "default", seen);
    const worker = world.worker({ jobs: [high, normal], queues: ["high", "default"], concurrency: 2 });
    await worker.start();
    await world.queue.pause("high");
    for (const n of [1, 2, 3]) {
      await world.queue.dispatch(high, { label: `high${n}` });
      await world.queue.dispatch(normal, { label: `default${n}` });
    }
    await waitFor(() => seen.length >= 3, 5_000, "the open queue's jobs");
    await Bun.sleep(500);
    expect([...seen].sort()).toEqual(["default1", "default2", "default3"]);
    expect(await streamState(world, "high")).toEqual({ waiting: 3, pending: 0 });

    await world.queue.resume("high");
    await waitFor(() => seen.length === 6, 5_000, "the resumed queue's jobs");
    expect(seen.slice(3)).toEqual(["high1", "high2", "high3"]);
  }, 15_000);
});

// Upstash's REST API fronts one Redis, never a cluster (see drain-once.test.ts): single nodes only.
describe.skipIf(onCluster())("a bounded drain over REST", () => {
  let upstash: Awaited<ReturnType<typeof startUpstashRestServer>>;
  let rest: RestRedis;

  beforeAll(async () => {
    upstash = await startUpstashRestServer({ redisUrl: loadConfig().REDIS_URL!, token: "pause-test" });
    rest = new RestRedis({ url: upstash.url, token: "pause-test" });
  });

  afterAll(async () => {
    await upstash?.stop();
  });

  it("skips a paused queue, waiting and stalled entries alike, and takes them on the pass after resume", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const low = defineJob({ ...recordingJob("Low", "low", seen), timeout: 0.2 });
    await world.queue.dispatch(low, { label: "stalled low" });
    // A pass that read this entry and was killed before it settled it: stalled after 200 ms.
    await world.queue.ensureGroups(["high", "low"]);
    const lowStream = world.queue.keys.shard(0).stream("low");
    await world.redis.send("XREADGROUP", ["GROUP", world.queue.keys.group, "killed", "STREAMS", lowStream, ">"]);
    await world.queue.dispatch(low, { label: "waiting low" });
    await world.queue.dispatch(high, { label: "high" });
    await world.queue.pause("low");
    await Bun.sleep(300);
    const pass = () =>
      new Worker({
        redis: rest,
        prefix: world.prefix,
        logger: consoleLogger("silent"),
        jobs: [high, low],
        queues: ["high", "low"],
        stallGraceMs: 0,
      }).drainOnce({ budgetMs: 5_000 });

    const first = await pass();
    expect(seen).toEqual(["high"]);
    expect(first.processed).toBe(1);
    expect(await streamState(world, "low")).toEqual({ waiting: 2, pending: 1 });

    await world.queue.resume("low");
    const second = await pass();
    expect(second.processed).toBe(2);
    expect([...seen].sort()).toEqual(["high", "stalled low", "waiting low"]);
    expect(await streamState(world, "low")).toEqual({ waiting: 0, pending: 0 });
  }, 20_000);
});
