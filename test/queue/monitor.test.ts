import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { NonRetryableError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { jobSeries, LIFETIME_MINUTE, lifetimeJobSeries } from "../../src/queue/job-series-metrics";
import { HISTOGRAM_BUCKETS_MS, MINUTE_MS } from "../../src/queue/metrics";
import { QueueMonitor } from "../../src/queue/monitor";
import { RedisFailedJobStore } from "../../src/queue/redis-failed-store";
import { type WorkerInfo, writeHeartbeat } from "../../src/queue/worker-registry";
import { manualClock, queueWorld, waitFor } from "./support";

const payload = z.object({ restaurantId: z.number(), outcome: z.enum(["ok", "fail", "release", "slow"]) });

function outcomeJob(gate?: Promise<void>) {
  return defineJob({
    name: "Outcome",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload,
    partitionKey: (p) => String(p.restaurantId),
    async handle(p, ctx) {
      if (p.outcome === "fail") throw new NonRetryableError("no");
      if (p.outcome === "release") ctx.release(600);
      if (p.outcome === "slow") await gate;
    },
  });
}

describe("monitoring", () => {
  it("counts what happened per minute, with runtime and wait distributions", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const world = await queueWorld({ clock });
    const job = outcomeJob();
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix, failedStore: store, clock });
    const outcomes = [...Array(7).fill("ok"), "fail", "fail", "release"] as Array<"ok" | "fail" | "release">;
    await world.queue.dispatchMany(
      job,
      outcomes.map((outcome) => ({ restaurantId: 1, outcome })),
    );
    // The jobs waited 1.5 s before any worker was there.
    clock.advance(1500);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    await waitFor(() => worker.info().processed + worker.info().failed + worker.info().released === 10);
    await worker.stop();

    const series = await monitor.metrics("default", { from: clock.now() - MINUTE_MS, to: clock.now() });
    const point = series.points.find((p) => p.minute === Date.UTC(2026, 0, 1, 12, 0, 0))!;
    expect([point.processed, point.failed, point.released, point.retried, point.dropped]).toEqual([7, 2, 1, 0, 0]);
    expect(point.runtime.count).toBe(10);
    expect(point.wait.count).toBe(10);
    // 1500 ms falls in the (1000, 2500] bucket for every job.
    expect(point.wait.p50Ms).toBe(2500);
    expect(point.wait.p95Ms).toBe(2500);
    expect(point.wait.buckets[HISTOGRAM_BUCKETS_MS.indexOf(2500)]).toBe(10);
    expect(series.summary.successRate).toBeCloseTo(7 / 9);
    const overview = (await monitor.overview()).find((o) => o.queue === "default");
    expect(overview).toMatchObject({ queue: "default", waiting: 0, inFlight: 0, delayed: 1, failed: 2, paused: false });
    const ttl = Number(await world.redis.send("TTL", [world.queue.keys.global.metrics("default", point.minute)]));
    expect(ttl).toBeGreaterThan(86_000);

    // The same counts per job name, per minute and for the job's lifetime, beside the queue's.
    const byName = await monitor.metrics(jobSeries("Outcome"), { from: point.minute, to: point.minute });
    expect([byName.points[0]?.processed, byName.points[0]?.failed, byName.points[0]?.runtime.count]).toEqual([
      7, 2, 10,
    ]);
    const lifetime = await monitor.metrics(lifetimeJobSeries("Outcome"), {
      from: LIFETIME_MINUTE,
      to: LIFETIME_MINUTE,
    });
    expect([lifetime.points[0]?.processed, lifetime.points[0]?.released, lifetime.points[0]?.wait.count]).toEqual([
      7, 1, 10,
    ]);
    for (const key of [
      world.queue.keys.global.metrics(jobSeries("Outcome"), point.minute),
      world.queue.keys.global.metrics(lifetimeJobSeries("Outcome"), LIFETIME_MINUTE),
    ]) {
      // Cluster-safe: one hash tag with the queue's own metrics; kept for the retention window.
      expect(key.startsWith(`{${world.prefix}:meta}:metrics:`)).toBe(true);
      expect(Number(await world.redis.send("TTL", [key]))).toBeGreaterThan(86_000);
    }
  });

  it("shows jobs by state with a restaurant filter, job detail and pending entries", async () => {
    const world = await queueWorld();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const job = outcomeJob(gate);
    const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix, jobs: [job], stallGraceMs: 0 });
    const [slowA, slowB] = (await world.queue.dispatchMany(job, [
      { restaurantId: 1, outcome: "slow" },
      { restaurantId: 2, outcome: "slow" },
    ])) as [string, string];
    const worker = world.worker({ jobs: [job], concurrency: 2 });
    await worker.start();
    await waitFor(() => worker.info().inFlight.length === 2);
    const [waitA] = (await world.queue.dispatchMany(job, [{ restaurantId: 1, outcome: "ok" }], {
      delay: 0,
    })) as [string];
    const [laterB] = (await world.queue.dispatchMany(job, [{ restaurantId: 2, outcome: "ok" }], {
      delay: 300,
    })) as [string];

    const inFlight = await monitor.jobs({ state: "in-flight", limit: 10 });
    expect(inFlight.map((j) => j.id).sort()).toEqual([slowA, slowB].sort());
    expect(inFlight.every((j) => j.consumer === worker.id && j.deliveries === 1)).toBe(true);
    expect((await monitor.jobs({ state: "in-flight", partitions: ["2"], limit: 10 })).map((j) => j.id)).toEqual([
      slowB,
    ]);
    expect((await monitor.jobs({ state: "waiting", limit: 10 })).map((j) => j.id)).toEqual([waitA]);
    expect((await monitor.jobs({ state: "waiting", partitions: ["2"], limit: 10 })).map((j) => j.id)).toEqual([]);
    const delayed = await monitor.jobs({ state: "delayed", limit: 10 });
    expect(delayed.map((j) => [j.id, j.partition])).toEqual([[laterB, "2"]]);

    const detail = await monitor.job(slowA);
    expect(detail).toMatchObject({
      state: "in-flight",
      id: slowA,
      name: "Outcome",
      partition: "1",
      consumer: worker.id,
    });
    expect(await monitor.job(laterB)).toMatchObject({ state: "delayed", payload: { restaurantId: 2, outcome: "ok" } });
    expect(await monitor.job("missing")).toBeNull();

    const pending = await monitor.pending("default");
    expect(pending.map((p) => p.jobId).sort()).toEqual([slowA, slowB].sort());
    expect(pending[0]).toMatchObject({
      name: "Outcome",
      consumer: worker.id,
      deliveries: 1,
      queue: "default",
      shard: 0,
    });
    // Timeout 5 s + grace 0: not stalled yet.
    expect(pending.some((p) => p.stalled)).toBe(false);
    open();
    await waitFor(async () => (await monitor.pending("default")).length === 0);
  });

  it("pauses and resumes a queue, and flags a long wait", async () => {
    const world = await queueWorld();
    const seen: number[] = [];
    const job = defineJob({
      name: "Pausable",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ n: z.number() }),
      handle: (p) => void seen.push(p.n),
    });
    const monitor = new QueueMonitor({
      redis: world.redis,
      prefix: world.prefix,
      queues: ["default"],
      longWaitMs: 100,
    });
    await monitor.pause("default");
    const worker = world.worker({ jobs: [job], blockMs: 50 });
    await worker.start();
    await world.queue.dispatch(job, { n: 1 });
    await Bun.sleep(300);
    expect(seen).toEqual([]);
    const [overview] = await monitor.overview();
    expect(overview).toMatchObject({ paused: true, waiting: 1, longWait: true });
    expect(overview!.oldestWaitingMs).toBeGreaterThanOrEqual(250);
    await monitor.resume("default");
    await waitFor(() => seen.length === 1);
    expect((await monitor.overview())[0]).toMatchObject({ paused: false, waiting: 0, longWait: false });
  });

  it("lists workers from their heartbeats and reports a silent one as dead", async () => {
    const clock = manualClock(Date.now());
    const world = await queueWorld({ clock });
    const job = defineJob({
      name: "Noop",
      queue: "low",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({}),
      handle() {},
    });
    const worker = world.worker({ jobs: [job], concurrency: 3, queues: ["low"] });
    await worker.start();
    await world.queue.dispatch(job, {});
    await waitFor(() => worker.info().processed === 1);
    const monitor = new QueueMonitor({ redis: world.redis, prefix: world.prefix, clock, deadAfterMs: 1000 });
    await waitFor(async () => (await monitor.workers())[0]?.processed === 1);
    const [status] = await monitor.workers();
    expect(status).toMatchObject({ id: worker.id, pid: process.pid, queues: ["low"], concurrency: 3, alive: true });
    await worker.stop();
    expect((await monitor.workers())[0]).toMatchObject({ state: "stopped", alive: false, dead: false });

    const silent = world.worker({ jobs: [job], queues: ["low"], heartbeatIntervalMs: 60_000 });
    await silent.start();
    clock.advance(5000);
    const reported = (await monitor.workers()).find((w) => w.id === silent.id);
    expect(reported).toMatchObject({ alive: false, dead: true });
  });

  it("lists live workers first and forgets stopped and dead ones after the retention window", async () => {
    const clock = manualClock(Date.now());
    const world = await queueWorld({ clock });
    const monitor = new QueueMonitor({
      redis: world.redis,
      prefix: world.prefix,
      clock,
      deadAfterMs: 1000,
      workerRetentionMs: 10_000,
    });
    const beat = (id: string, state: WorkerInfo["state"], lastBeatAt: number) =>
      writeHeartbeat(world.redis, world.queue.keys, {
        id,
        pid: 1,
        host: "h",
        queues: ["low"],
        shards: 1,
        concurrency: 1,
        mode: "strict",
        state,
        startedAt: lastBeatAt,
        lastBeatAt,
        inFlight: [],
        processed: 0,
        failed: 0,
        retried: 0,
        released: 0,
        dropped: 0,
      });
    const now = clock.now();
    // The stopped one beat last, so a newest-first list alone would put it first.
    await beat("live", "running", now - 100);
    await beat("stopped", "stopped", now);
    await beat("dead", "running", now - 5000);
    expect((await monitor.workers()).map((w) => [w.id, w.alive])).toEqual([
      ["live", true],
      ["stopped", false],
      ["dead", false],
    ]);
    clock.advance(7_000);
    await beat("live", "running", clock.now());
    // 12 s after its last beat the dead worker is forgotten; the stopped one (7 s) is still listed.
    expect((await monitor.workers()).map((w) => w.id)).toEqual(["live", "stopped"]);
    clock.advance(4_000);
    await beat("live", "running", clock.now());
    expect((await monitor.workers()).map((w) => w.id)).toEqual(["live"]);
  });
});
