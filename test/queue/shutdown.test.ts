import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { RedisFailedJobStore } from "../../src/queue/redis-failed-store";
import { writeHeartbeat } from "../../src/queue/worker-registry";
import { queueWorld, waitFor } from "./support";

const payload = z.object({ n: z.number() });

describe("stalls, poison and shutdown", () => {
  it("fails an entry as poison once its handler has started maxDeliveries times without finishing", async () => {
    const world = await queueWorld();
    let started = 0;
    const job = defineJob({
      name: "Crashy",
      queue: "default",
      tries: 5,
      backoff: [1],
      timeout: 5,
      payload,
      // Never finishes: each worker gives up on it at stop, as a worker dying on it would.
      async handle(_p, ctx) {
        started += 1;
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      },
    });
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const options = { jobs: [job], failedStore: store, maxDeliveries: 2, drainTimeoutMs: 50 };
    await world.queue.ensureGroups(["default"]);
    const id = (await world.queue.dispatch(job, { n: 1 }))!;
    for (let run = 1; run <= 2; run++) {
      const worker = world.worker(options);
      await worker.start();
      await waitFor(() => started === run, 5000, `start ${run}`);
      await worker.stop();
    }
    const last = world.worker(options);
    await last.start();
    const failed = await waitFor(() => store.get(id), 5000, "the poison failure");
    expect(failed.reason).toBe("poison");
    expect(failed.error).toContain("started 2 times");
    expect(started).toBe(2);
    const stream = world.queue.keys.shard(0).stream("default");
    expect((await world.redis.send("XPENDING", [stream, world.queue.keys.group, "-", "+", 10])) as unknown[]).toEqual(
      [],
    );
  }, 20_000);

  it("does not count redeliveries that never reached a handler against the poison limit", async () => {
    const world = await queueWorld();
    let ran = 0;
    const job = defineJob({
      name: "Bystander",
      queue: "default",
      tries: 5,
      backoff: [1],
      timeout: 0.2,
      payload,
      handle() {
        ran += 1;
      },
    });
    await world.queue.ensureGroups(["default"]);
    await world.queue.dispatch(job, { n: 1 });
    const stream = world.queue.keys.shard(0).stream("default");
    const group = world.queue.keys.group;
    // Two consumers take the entry and vanish before starting it, as workers holding it in their
    // buffer while a neighbour crashes them would.
    await world.redis.send("XREADGROUP", ["GROUP", group, "ghost-1", "COUNT", 1, "STREAMS", stream, ">"]);
    const [entry] = (await world.redis.send("XPENDING", [stream, group, "-", "+", 1])) as [string][];
    await world.redis.send("XCLAIM", [stream, group, "ghost-2", 0, entry![0]]);
    const store = new RedisFailedJobStore(world.redis, world.queue.keys);
    const worker = world.worker({ jobs: [job], failedStore: store, maxDeliveries: 2, stallGraceMs: 0 });
    await worker.start();
    await waitFor(() => ran === 1, 3000, "the job to run");
    await waitFor(async () => ((await world.redis.send("XLEN", [stream])) as number) === 0, 3000, "the ack");
    expect(await store.count({})).toBe(0);
  });

  it("drains on stop: running jobs finish, unstarted ones go back, nothing is lost", async () => {
    const world = await queueWorld();
    const finished: number[] = [];
    let started = 0;
    const job = defineJob({
      name: "Steady",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload,
      async handle(p) {
        started += 1;
        await Bun.sleep(150);
        finished.push(p.n);
      },
    });
    await world.queue.dispatchMany(
      job,
      Array.from({ length: 30 }, (_, n) => ({ n })),
    );
    const first = world.worker({ jobs: [job], concurrency: 5 });
    await first.start();
    await waitFor(() => started >= 5);
    const stopping = first.stop();
    expect(first.state).toBe("draining");
    await stopping;
    expect(first.state).toBe("stopped");
    // Everything it started, it finished.
    expect(finished.length).toBe(started);
    const second = world.worker({ jobs: [job], concurrency: 10 });
    await second.start();
    await waitFor(() => finished.length === 30, 5000);
    await second.stop();
    expect(finished.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(Number(await world.redis.send("XLEN", [world.queue.keys.shard(0).stream("default")]))).toBe(0);
  });

  it("leaves a job that outlives the drain timeout pending for another worker", async () => {
    const world = await queueWorld();
    const runs: string[] = [];
    const job = defineJob({
      name: "Long",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 0.6,
      payload,
      async handle(_p, ctx) {
        runs.push(ctx.jobId);
        if (runs.length === 1) await Bun.sleep(400);
      },
    });
    const id = (await world.queue.dispatch(job, { n: 1 }))!;
    const first = world.worker({ jobs: [job], drainTimeoutMs: 50 });
    await first.start();
    await waitFor(() => runs.length === 1);
    await first.stop();
    const stream = world.queue.keys.shard(0).stream("default");
    const pending = (await world.redis.send("XPENDING", [stream, world.queue.keys.group, "-", "+", 10])) as unknown[][];
    expect(pending.map((p) => p[1])).toEqual([first.id]);
    // The first worker is recorded as stopped, so the next one takes its entry without waiting for the stall threshold.
    const second = world.worker({ jobs: [job], stallGraceMs: 60_000 });
    await second.start();
    await waitFor(() => runs.length === 2, 3000);
    expect(runs).toEqual([id, id]);
  });

  it("takes over the entries of a worker whose heartbeats stopped, long before the stall threshold", async () => {
    const world = await queueWorld();
    const runs: number[] = [];
    const job = defineJob({
      name: "Orphaned",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 60,
      payload,
      handle: (p) => void runs.push(p.n),
    });
    await world.queue.ensureGroups(["default"]);
    await world.queue.dispatch(job, { n: 1 });
    const stream = world.queue.keys.shard(0).stream("default");
    // A worker took the job, then went silent: its last heartbeat is a minute old.
    await world.redis.send("XREADGROUP", ["GROUP", world.queue.keys.group, "gone", "COUNT", 1, "STREAMS", stream, ">"]);
    await writeHeartbeat(world.redis, world.queue.keys, {
      id: "gone",
      pid: 1,
      host: "elsewhere",
      queues: ["default"],
      shards: 1,
      concurrency: 1,
      mode: "strict",
      state: "running",
      startedAt: Date.now() - 120_000,
      lastBeatAt: Date.now() - 60_000,
      inFlight: [],
      processed: 0,
      failed: 0,
      retried: 0,
      released: 0,
      dropped: 0,
    });
    // The stall threshold is 60 s + 60 s; only dead-worker detection can recover it this fast.
    const survivor = world.worker({ jobs: [job], stallGraceMs: 60_000, deadAfterMs: 300 });
    await survivor.start();
    await waitFor(() => runs.length === 1, 3000);
    expect(runs).toEqual([1]);
  });
});
