import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { MissingModelError, NonRetryableError } from "../../src/queue/errors";
import { FailedJobs } from "../../src/queue/failed-jobs";
import { defineJob } from "../../src/queue/job";
import { RedisFailedJobStore } from "../../src/queue/redis-failed-store";
import { manualClock, queueWorld, waitFor } from "./support";

const payload = z.object({ orderId: z.number() });

describe("retries, timeouts and releases", () => {
  it("reschedules failed attempts by the backoff array, then moves the job to failed", async () => {
    const clock = manualClock();
    const world = await queueWorld({ clock });
    const attempts: number[] = [];
    const job = defineJob({
      name: "Flaky",
      queue: "default",
      tries: 4,
      backoff: [60, 180],
      timeout: 5,
      payload,
      handle(_p, ctx) {
        attempts.push(ctx.attempt);
        throw new Error(`boom ${ctx.attempt}`);
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const start = clock.now();
    const id = (await world.queue.dispatch(job, { orderId: 1 }))!;
    const delayed = world.queue.keys.shard(0).delayed;
    const score = () => world.redis.send("ZSCORE", [delayed, id]).then((s) => (s == null ? null : Number(s)));

    expect(await waitFor(score)).toBe(start + 60_000);
    clock.advance(60_000);
    expect(await waitFor(async () => ((await score()) === start + 60_000 + 180_000 ? "ok" : null))).toBe("ok");
    clock.advance(180_000);
    // The last value repeats.
    expect(await waitFor(async () => ((await score()) === start + 240_000 + 180_000 ? "ok" : null))).toBe("ok");
    clock.advance(180_000);
    const failed = await waitFor(() => store.get(id));
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(failed.reason).toBe("exhausted");
    expect(failed.attempts).toBe(4);
    expect(failed.error).toBe("Error: boom 4");
    expect(failed.stack).toContain("boom 4");
    expect(failed.payload).toEqual({ orderId: 1 });
    expect(await score()).toBeNull();
  });

  it("aborts the signal past the timeout and counts the attempt as failed", async () => {
    const world = await queueWorld();
    let sawAbort: unknown = null;
    const job = defineJob({
      name: "Slow",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 0.2,
      payload,
      async handle(_p, ctx) {
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            sawAbort = ctx.signal.reason;
            resolve();
          });
        });
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const id = (await world.queue.dispatch(job, { orderId: 2 }))!;
    const failed = await waitFor(() => store.get(id));
    expect(failed.error).toBe("JobTimeoutError: job timed out after 0.2s");
    expect(String(sawAbort)).toContain("timed out");
  });

  it("gives a handler that asks for its signal only after the timeout an aborted one", async () => {
    const world = await queueWorld();
    let seen: { aborted: boolean; reason: string } | null = null;
    const job = defineJob({
      name: "LateLook",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 0.1,
      payload,
      async handle(_p, ctx) {
        // The signal is made on first use; the timeout fired before that.
        await Bun.sleep(300);
        seen = { aborted: ctx.signal.aborted, reason: String(ctx.signal.reason) };
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const id = (await world.queue.dispatch(job, { orderId: 4 }))!;
    expect((await waitFor(() => store.get(id), 3000)).error).toContain("timed out");
    await waitFor(() => seen);
    expect(seen!).toEqual({ aborted: true, reason: "JobTimeoutError: job timed out after 0.1s" });
  });

  it("fails a job that ignores its signal once the timeout passes", async () => {
    const world = await queueWorld();
    const job = defineJob({
      name: "Stuck",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 0.1,
      payload,
      handle: () => new Promise<void>(() => {}),
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const id = (await world.queue.dispatch(job, { orderId: 3 }))!;
    expect((await waitFor(() => store.get(id), 3000)).error).toContain("timed out");
  });

  it("releases a job back to the queue without using a try", async () => {
    const clock = manualClock();
    const world = await queueWorld({ clock });
    const attempts: number[] = [];
    const job = defineJob({
      name: "NotYet",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload,
      handle(_p, ctx) {
        attempts.push(ctx.attempt);
        if (attempts.length < 3) ctx.release(45);
      },
    });
    const worker = world.worker({ jobs: [job] });
    await worker.start();
    const id = (await world.queue.dispatch(job, { orderId: 4 }))!;
    const delayed = world.queue.keys.shard(0).delayed;
    expect(Number(await waitFor(() => world.redis.send("ZSCORE", [delayed, id])))).toBe(clock.now() + 45_000);
    clock.advance(45_000);
    await waitFor(() => attempts.length === 2);
    clock.advance(45_000);
    await waitFor(() => attempts.length === 3);
    // tries is 1, yet it ran three times: releases are not attempts.
    expect(attempts).toEqual([1, 1, 1]);
    await worker.stop();
    expect(worker.info().released).toBe(2);
    expect(worker.info().processed).toBe(1);
  });

  it("fails at once on a NonRetryableError", async () => {
    const world = await queueWorld();
    let runs = 0;
    const job = defineJob({
      name: "Rejected",
      queue: "default",
      tries: 5,
      backoff: [1],
      timeout: 5,
      payload,
      handle() {
        runs += 1;
        throw new NonRetryableError("POS says the order is invalid");
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const id = (await world.queue.dispatch(job, { orderId: 5 }))!;
    const failed = await waitFor(() => store.get(id));
    expect(failed.reason).toBe("non-retryable");
    expect(failed.attempts).toBe(1);
    expect(runs).toBe(1);
  });

  it("drops a job whose model is missing when deleteWhenMissingModels is set", async () => {
    const world = await queueWorld();
    const job = defineJob({
      name: "Gone",
      queue: "default",
      tries: 5,
      backoff: [1],
      timeout: 5,
      deleteWhenMissingModels: true,
      payload,
      handle(p) {
        throw new MissingModelError(`order ${p.orderId} no longer exists`);
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    await world.queue.dispatch(job, { orderId: 6 });
    await waitFor(() => worker.info().dropped === 1);
    expect(await store.count({})).toBe(0);
    expect(Number(await world.redis.send("XLEN", [world.queue.keys.shard(0).stream("default")]))).toBe(0);
    expect(Number(await world.redis.send("ZCARD", [world.queue.keys.shard(0).delayed]))).toBe(0);
  });

  it("retries failed jobs from the store, one or all", async () => {
    const world = await queueWorld();
    let healthy = false;
    const done: number[] = [];
    const job = defineJob({
      name: "PosDown",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload,
      partitionKey: (p) => String(p.orderId % 2),
      handle(p) {
        if (!healthy) throw new Error("POS unreachable");
        done.push(p.orderId);
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const failedJobs = new FailedJobs(world.queue, store);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const ids = (await world.queue.dispatchMany(
      job,
      [1, 2, 3, 4].map((orderId) => ({ orderId })),
    )) as string[];
    await waitFor(async () => (await store.count({})) === 4);
    expect((await store.list({ partition: "1" }, { limit: 10, offset: 0 })).total).toBe(2);
    healthy = true;
    expect(await failedJobs.retry([ids[0]!, "no-such-job"])).toEqual([ids[0]!]);
    await waitFor(() => done.length === 1);
    expect(await failedJobs.retryAll({ partition: "0" })).toBe(2);
    await waitFor(() => done.length === 3);
    expect(done.sort()).toEqual([1, 2, 4]);
    expect((await store.list({}, { limit: 10, offset: 0 })).jobs.map((j) => j.jobId)).toEqual([ids[2]!]);
    expect(await store.clear({})).toBe(1);
  });

  it("retries each failed job once per retry-all, even when they fail again at once", async () => {
    const world = await queueWorld();
    let attempts = 0;
    const job = defineJob({
      name: "AlwaysRejected",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload,
      handle() {
        attempts += 1;
        throw new NonRetryableError("the POS refuses this order");
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const failedJobs = new FailedJobs(world.queue, store);
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    await world.queue.dispatchMany(
      job,
      Array.from({ length: 250 }, (_, i) => ({ orderId: i + 1 })),
    );
    await waitFor(async () => (await store.count({})) === 250, 20_000);
    expect(attempts).toBe(250);
    expect(await failedJobs.retryAll({})).toBe(250);
    // Every job failed again and is back in the store: none of the new records was lost.
    await waitFor(async () => attempts >= 500 && (await store.count({})) === 250, 20_000);
    // A little longer: no job is retried a second time by that one call.
    await Bun.sleep(200);
    expect(attempts).toBe(500);
  }, 30_000);

  it("fails a job no registered definition knows, without running anything", async () => {
    const world = await queueWorld();
    const stranger = defineJob({
      name: "FromANewerRelease",
      queue: "default",
      tries: 3,
      backoff: [1],
      timeout: 5,
      payload,
      handle() {},
    });
    const known = defineJob({ ...stranger, name: "Known" });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [known], failedStore: store });
    await worker.start();
    const id = (await world.queue.dispatch(stranger, { orderId: 9 }))!;
    const failed = await waitFor(() => store.get(id));
    expect(failed).toMatchObject({ reason: "unknown-job", name: "FromANewerRelease", attempts: 0 });
    expect(failed.error).toContain("no job named FromANewerRelease");
  });
});
