import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { InvalidPayloadError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { QueueMonitor } from "../../src/queue/monitor";
import { RedisFailedJobStore } from "../../src/queue/redis-failed-store";
import { manualClock, queueWorld, recordingJob, waitFor } from "./support";

describe("dispatch and priorities", () => {
  it("serves queues in strict priority order", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const normal = recordingJob("Normal", "default", seen);
    const low = recordingJob("Low", "low", seen);
    // Lowest first, so arrival order is the opposite of the expected service order.
    await world.queue.dispatchMany(
      low,
      [1, 2, 3].map((i) => ({ label: `low${i}` })),
    );
    await world.queue.dispatchMany(
      normal,
      [1, 2, 3].map((i) => ({ label: `default${i}` })),
    );
    await world.queue.dispatchMany(
      high,
      [1, 2, 3].map((i) => ({ label: `high${i}` })),
    );
    const worker = world.worker({ jobs: [high, normal, low], concurrency: 1 });
    await worker.start();
    await waitFor(() => seen.length === 9);
    expect(seen).toEqual(["high1", "high2", "high3", "default1", "default2", "default3", "low1", "low2", "low3"]);
  });

  it("keeps serving low in weighted mode while high is flooded", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const low = recordingJob("Low", "low", seen);
    await world.queue.dispatchMany(
      high,
      Array.from({ length: 400 }, (_, i) => ({ label: `h${i}` })),
    );
    await world.queue.dispatchMany(
      low,
      Array.from({ length: 5 }, (_, i) => ({ label: `l${i}` })),
    );
    const worker = world.worker({ jobs: [high, low], concurrency: 1, mode: "weighted" });
    await worker.start();
    await waitFor(() => seen.length === 405);
    const firstLow = seen.findIndex((l) => l.startsWith("l"));
    // With weights 6/3/1, low leads about one read in ten; 200 reads without it are vanishingly unlikely.
    expect(firstLow).toBeGreaterThanOrEqual(0);
    expect(firstLow).toBeLessThan(200);
  });

  it("starves low in strict mode under the same flood", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const low = recordingJob("Low", "low", seen);
    await world.queue.dispatchMany(
      high,
      Array.from({ length: 200 }, (_, i) => ({ label: `h${i}` })),
    );
    await world.queue.dispatchMany(
      low,
      Array.from({ length: 5 }, (_, i) => ({ label: `l${i}` })),
    );
    const worker = world.worker({ jobs: [high, low], concurrency: 1, mode: "strict" });
    await worker.start();
    await waitFor(() => seen.length === 205);
    expect(seen.findIndex((l) => l.startsWith("l"))).toBe(200);
  });

  it("refuses an invalid payload at dispatch", async () => {
    const world = await queueWorld();
    const job = recordingJob("Strict", "default", []);
    await expect(world.queue.dispatch(job, { label: 42 } as unknown as { label: string })).rejects.toBeInstanceOf(
      InvalidPayloadError,
    );
    expect(Number(await world.redis.send("EXISTS", [world.queue.keys.shard(0).stream("default")]))).toBe(0);
  });

  it("refuses a second copy of a unique job until the first has finished", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const job = defineJob({
      name: "Unique",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ orderId: z.number(), note: z.string() }),
      uniqueKey: (p) => String(p.orderId),
      handle(p) {
        seen.push(p.note);
      },
    });
    const first = await world.queue.dispatch(job, { orderId: 7, note: "first" }, { uniqueFor: 60 });
    const second = await world.queue.dispatch(job, { orderId: 7, note: "second" }, { uniqueFor: 60 });
    const other = await world.queue.dispatch(job, { orderId: 8, note: "other" }, { uniqueFor: 60 });
    expect(first).toBeString();
    expect(second).toBeNull();
    expect(other).toBeString();
    const worker = world.worker({ jobs: [job] });
    await worker.start();
    await waitFor(() => seen.length === 2);
    await worker.stop();
    expect(seen.sort()).toEqual(["first", "other"]);
    // Acked: the lock is gone, so the same key can be dispatched again.
    expect(await world.queue.dispatch(job, { orderId: 7, note: "third" }, { uniqueFor: 60 })).toBeString();
  }, 30_000);

  it("lets only the copy holding a unique lock release it", async () => {
    const world = await queueWorld();
    const gates = new Map<string, () => void>();
    const started: string[] = [];
    const job = defineJob({
      name: "SlowUnique",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ orderId: z.number(), note: z.string() }),
      uniqueKey: (p) => String(p.orderId),
      async handle(p) {
        started.push(p.note);
        // The two overlapping copies wait for the test; later ones finish at once.
        if (p.note === "old" || p.note === "new") await new Promise<void>((resolve) => gates.set(p.note, resolve));
      },
    });
    const worker = world.worker({ jobs: [job] });
    await worker.start();
    // A short lock that lapses while the first copy still runs.
    const first = await world.queue.dispatch(job, { orderId: 9, note: "old" }, { uniqueFor: 0.05 });
    await waitFor(() => started.includes("old"), 10_000);
    await Bun.sleep(80);
    const second = await world.queue.dispatch(job, { orderId: 9, note: "new" }, { uniqueFor: 60 });
    expect(second).toBeString();
    await waitFor(() => started.includes("new"), 10_000);
    // The old copy finishes: its ack must leave the new copy's lock alone.
    gates.get("old")!();
    const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix });
    await waitFor(async () => (await monitor.job(first!)) === null, 10_000);
    expect(await world.queue.dispatch(job, { orderId: 9, note: "third" }, { uniqueFor: 60 })).toBeNull();
    gates.get("new")!();
    await waitFor(async () => (await monitor.job(second!)) === null, 10_000);
    expect(await world.queue.dispatch(job, { orderId: 9, note: "fourth" }, { uniqueFor: 60 })).toBeString();
    await worker.stop();
  }, 30_000);

  it("holds a delayed job in the delayed set until it is due", async () => {
    const clock = manualClock();
    const world = await queueWorld({ clock });
    const seen: string[] = [];
    const job = recordingJob("Later", "default", seen);
    const id = await world.queue.dispatch(job, { label: "later" }, { delay: 30 });
    const keys = world.queue.keys.shard(0);
    expect(Number(await world.redis.send("ZSCORE", [keys.delayed, id!]))).toBe(clock.now() + 30_000);
    const worker = world.worker({ jobs: [job] });
    await worker.start();
    await Bun.sleep(150);
    expect(seen).toEqual([]);
    clock.advance(30_000);
    await waitFor(() => seen.length === 1);
    expect(await world.redis.send("ZSCORE", [keys.delayed, id!])).toBeNull();
  });

  it("fails a job whose payload no longer validates at once, without retries", async () => {
    const world = await queueWorld();
    const ran: unknown[] = [];
    // The producer's schema is looser than the worker's, as after a schema change.
    const producerSide = defineJob({
      name: "Evolving",
      queue: "default",
      tries: 5,
      backoff: [1],
      timeout: 5,
      payload: z.object({ amount: z.unknown() }),
      handle() {},
    });
    const workerSide = defineJob({
      ...producerSide,
      payload: z.object({ amount: z.number() }),
      handle: (p) => void ran.push(p),
    });
    const id = await world.queue.dispatch(producerSide, { amount: "ten" });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [workerSide], failedStore: store });
    await worker.start();
    const failed = await waitFor(() => store.get(id!));
    expect(failed.reason).toBe("invalid-payload");
    expect(failed.error).toContain("amount");
    expect(failed.attempts).toBe(0);
    expect(ran).toEqual([]);
    expect(Number(await world.redis.send("ZCARD", [world.queue.keys.shard(0).delayed]))).toBe(0);
  });

  it("keeps a partition on one shard and consumes every shard", async () => {
    const world = await queueWorld({ shards: 4 });
    const seen: string[] = [];
    const job = defineJob({
      name: "Sharded",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ restaurantId: z.number() }),
      partitionKey: (p) => String(p.restaurantId),
      handle: (p) => void seen.push(String(p.restaurantId)),
    });
    const restaurants = Array.from({ length: 40 }, (_, i) => i % 8);
    await world.queue.dispatchMany(
      job,
      restaurants.map((restaurantId) => ({ restaurantId })),
    );
    const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix, shards: 4, queues: ["default"] });
    const [overview] = await monitor.overview();
    expect(overview!.waiting).toBe(40);
    // Eight restaurants over four shards: more than one shard holds jobs, each restaurant five on one shard.
    expect(overview!.shards.filter((s) => s.waiting > 0).length).toBeGreaterThan(1);
    for (const restaurant of ["0", "5"]) {
      const jobs = await monitor.jobs({ state: "waiting", partitions: [restaurant], limit: 50 });
      expect(jobs.length).toBe(5);
      expect(new Set(jobs.map((j) => j.shard)).size).toBe(1);
    }
    const worker = world.worker({ jobs: [job], queues: ["default"], concurrency: 4 });
    await worker.start();
    await waitFor(() => seen.length === 40);
    // A handler has returned before its ack lands: wait for the acks, then check nothing is left.
    await waitFor(async () => (await monitor.overview())[0]?.inFlight === 0, 10_000, "the last acks");
    expect((await monitor.overview())[0]).toMatchObject({ waiting: 0, inFlight: 0 });
  });
});
