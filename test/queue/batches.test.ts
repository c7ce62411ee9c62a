import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { QueueScripts } from "../../src/queue/scripts";
import { spawnWorkerProcess } from "./fixtures/spawn-worker";
import { queueWorld, waitFor } from "./support";

const SHARDS = 4;

function jobsOf(world: { redis: unknown }) {
  const ran = new Map<number, number>();
  const callbacks: string[] = [];
  const seenBatch: Array<{ n: number; batch: string | undefined; cancelled: boolean | undefined }> = [];
  const item = defineJob({
    name: "Item",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ n: z.number(), fail: z.boolean().optional() }),
    partitionKey: (p) => String(p.n),
    handle(p, ctx) {
      ran.set(p.n, (ran.get(p.n) ?? 0) + 1);
      seenBatch.push({ n: p.n, batch: ctx.batch?.id, cancelled: ctx.batch?.cancelled });
      if (p.fail) throw new Error(`item ${p.n} fails`);
    },
  });
  const callback = defineJob({
    name: "Callback",
    queue: "high",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ kind: z.string() }),
    handle(p, ctx) {
      callbacks.push(`${p.kind}:${ctx.batch?.id}`);
    },
  });
  void world;
  return { item, callback, ran, callbacks, seenBatch };
}

describe("job batches", () => {
  it("counts every job of a batch spread over shards and fires then and finally once", async () => {
    const world = await queueWorld({ shards: SHARDS });
    const { item, callback, ran, callbacks, seenBatch } = jobsOf(world);
    const n = 60;
    const id = await world.queue.dispatchBatch(
      Array.from({ length: n }, (_, i) => ({ job: item, payload: { n: i } })),
      {
        name: "spread",
        scope: "7",
        // biome-ignore lint/suspicious/noThenProperty: the batch API names its success callback `then`, as Laravel does
        then: { job: callback, payload: { kind: "then" } },
        catch: { job: callback, payload: { kind: "catch" } },
        finally: { job: callback, payload: { kind: "finally" } },
      },
    );
    const before = await world.queue.batches.find(id);
    expect(before).toMatchObject({ name: "spread", scope: "7", total: n, pending: n, processed: 0, finishedAt: null });
    const worker = world.worker({ jobs: [item, callback] });
    await worker.start();
    await waitFor(() => callbacks.length === 2, 15_000, "then and finally");
    await Bun.sleep(300);
    await worker.stop();

    expect(callbacks.sort()).toEqual([`finally:${id}`, `then:${id}`]);
    expect([...ran.values()].every((times) => times === 1)).toBe(true);
    expect(ran.size).toBe(n);
    expect(seenBatch.every((s) => s.batch === id && s.cancelled === false)).toBe(true);
    const record = await world.queue.batches.find(id);
    expect(record).toMatchObject({ total: n, pending: 0, processed: n, failed: 0, skipped: 0, cancelledAt: null });
    expect(record?.finishedAt).toBeGreaterThan(0);
    expect((await world.queue.batches.list({ scopes: ["7"] })).map((b) => b.id)).toEqual([id]);
    expect(await world.queue.batches.list({ scopes: ["8"] })).toEqual([]);
  }, 30_000);

  it("fires catch once at the first failure, cancels the rest, and never fires then", async () => {
    const world = await queueWorld({ shards: SHARDS });
    const { item, callback, ran, callbacks } = jobsOf(world);
    const jobs = Array.from({ length: 40 }, (_, i) => ({ job: item, payload: { n: i, fail: i < 3 } }));
    const id = await world.queue.dispatchBatch(jobs, {
      name: "failing",
      // biome-ignore lint/suspicious/noThenProperty: the batch API names its success callback `then`, as Laravel does
      then: { job: callback, payload: { kind: "then" } },
      catch: { job: callback, payload: { kind: "catch" } },
      finally: { job: callback, payload: { kind: "finally" } },
    });
    // One handler at a time, so the cancellation reaches jobs that have not started.
    const worker = world.worker({ jobs: [item, callback], concurrency: 1 });
    await worker.start();
    await waitFor(async () => (await world.queue.batches.find(id))?.finishedAt, 15_000, "the batch to finish");
    await waitFor(() => callbacks.some((c) => c.startsWith("finally")), 5000, "finally");
    await Bun.sleep(300);
    await worker.stop();

    const record = (await world.queue.batches.find(id))!;
    expect(callbacks.sort()).toEqual([`catch:${id}`, `finally:${id}`]);
    expect(record.cancelledAt).not.toBeNull();
    expect(record.failed).toBeGreaterThanOrEqual(1);
    expect(record.failed + record.processed + record.skipped).toBe(40);
    expect(record.skipped).toBeGreaterThan(0);
    expect(record.processed + record.failed).toBe(ran.size);
    expect(record.failedJobIds).toHaveLength(record.failed);
  }, 30_000);

  it("with allowFailures keeps going and fires then and finally after catch", async () => {
    const world = await queueWorld({ shards: SHARDS });
    const { item, callback, ran, callbacks } = jobsOf(world);
    const id = await world.queue.dispatchBatch(
      Array.from({ length: 20 }, (_, i) => ({ job: item, payload: { n: i, fail: i % 5 === 0 } })),
      {
        name: "tolerant",
        allowFailures: true,
        // biome-ignore lint/suspicious/noThenProperty: the batch API names its success callback `then`, as Laravel does
        then: { job: callback, payload: { kind: "then" } },
        catch: { job: callback, payload: { kind: "catch" } },
        finally: { job: callback, payload: { kind: "finally" } },
      },
    );
    const worker = world.worker({ jobs: [item, callback] });
    await worker.start();
    await waitFor(() => callbacks.length === 3, 15_000, "three callbacks");
    await Bun.sleep(300);
    await worker.stop();
    expect(callbacks.sort()).toEqual([`catch:${id}`, `finally:${id}`, `then:${id}`]);
    expect(ran.size).toBe(20);
    expect(await world.queue.batches.find(id)).toMatchObject({ processed: 16, failed: 4, skipped: 0, pending: 0 });
  }, 30_000);

  it("skips the jobs of a cancelled batch that have not started, and tells running ones", async () => {
    const world = await queueWorld();
    const started: number[] = [];
    let sawCancel = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const item = defineJob({
      name: "Gated",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 10,
      payload: z.object({ n: z.number() }),
      async handle(p, ctx) {
        started.push(p.n);
        await gate;
        sawCancel = (await ctx.batch?.isCancelled()) ?? false;
      },
    });
    const id = await world.queue.dispatchBatch(
      Array.from({ length: 10 }, (_, n) => ({ job: item, payload: { n } })),
      { name: "to cancel" },
    );
    const worker = world.worker({ jobs: [item], concurrency: 1 });
    await worker.start();
    await waitFor(() => started.length === 1, 5000, "the first job to start");
    expect(await world.queue.cancelBatch(id)).toBe("cancelled");
    expect(await world.queue.cancelBatch(id)).toBe("already-ended");
    release();
    await waitFor(async () => (await world.queue.batches.find(id))?.finishedAt, 10_000, "the batch to finish");
    await worker.stop();
    expect(started).toHaveLength(1);
    expect(sawCancel).toBe(true);
    expect(await world.queue.batches.find(id)).toMatchObject({ processed: 1, skipped: 9, failed: 0, pending: 0 });
    expect(await world.queue.cancelBatch("no-such-batch")).toBe("not-found");
  }, 20_000);

  it("counts a job acked twice (a redelivery that also finished) once", async () => {
    const world = await queueWorld();
    const { item } = jobsOf(world);
    const id = await world.queue.dispatchBatch(
      [
        { job: item, payload: { n: 1 } },
        { job: item, payload: { n: 2 } },
      ],
      {
        name: "twice",
      },
    );
    const keys = world.queue.keys.shard(0);
    const entries = (await world.redis.send("XRANGE", [keys.stream("default"), "-", "+"])) as Array<[string, string[]]>;
    const first = JSON.parse(entries[0]![1][1]!) as { id: string };
    const scripts = new QueueScripts(world.redis);
    const ack = { entryId: entries[0]![0], jobId: first.id, batchId: id };
    await scripts.ackJobs(keys, "default", world.queue.keys.group, [ack]);
    await scripts.ackJobs(keys, "default", world.queue.keys.group, [ack, ack]);
    expect(await world.queue.batches.find(id)).toMatchObject({ total: 2, processed: 1, pending: 1 });
  });

  it("keeps exact counts and fires callbacks once when a worker process is SIGKILLed mid-batch", async () => {
    const world = await queueWorld();
    const url = loadConfig().REDIS_URL!;
    const count = defineJob({
      name: "Count",
      queue: "default",
      tries: 3,
      backoff: [1],
      timeout: 10,
      payload: z.object({ n: z.number() }),
      handle() {},
    });
    const callback = defineJob({
      name: "BatchCallback",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 10,
      payload: z.object({ kind: z.string() }),
      handle() {},
    });
    const total = 400;
    const victim = await spawnWorkerProcess(url, world.prefix, "batch", 20);
    const survivor = await spawnWorkerProcess(url, world.prefix, "batch", 5);
    const tally = `{${world.prefix}:test}:tally`;
    const id = await world.queue.dispatchBatch(
      Array.from({ length: total }, (_, n) => ({ job: count, payload: { n } })),
      {
        name: "crash",
        // biome-ignore lint/suspicious/noThenProperty: the batch API names its success callback `then`, as Laravel does
        then: { job: callback, payload: { kind: "then" } },
        finally: { job: callback, payload: { kind: "finally" } },
      },
    );
    try {
      await waitFor(async () => Number(await world.redis.send("HLEN", [tally])) >= 60, 15_000, "work under way");
      victim.kill("SIGKILL");
      await victim.exited;
      expect(Number(await world.redis.send("HLEN", [tally]))).toBeLessThan(total);
      await waitFor(async () => (await world.queue.batches.find(id))?.finishedAt, 30_000, "the batch to finish");
      const callbacks = `{${world.prefix}:test}:callbacks`;
      await waitFor(async () => Number(await world.redis.send("HLEN", [callbacks])) === 2, 10_000, "callbacks");
      await Bun.sleep(500);
      const fired = (await world.redis.send("HGETALL", [callbacks])) as Record<string, string>;
      expect(Object.entries(fired).sort()).toEqual([
        ["finally", "1"],
        ["then", "1"],
      ]);
      const record = (await world.queue.batches.find(id))!;
      expect(record).toMatchObject({ total, processed: total, failed: 0, skipped: 0, pending: 0 });
      // Every job ran at least once; those the victim died on ran again and still counted once.
      expect(Number(await world.redis.send("HLEN", [tally]))).toBe(total);
    } finally {
      victim.kill("SIGKILL");
      survivor.kill("SIGTERM");
      await survivor.exited;
    }
  }, 60_000);
});
