import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Worker } from "../../src/queue/worker";
import type { WorkerOptions } from "../../src/queue/worker-options";
import { RestRedis } from "../../src/redis/rest";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import { onCluster } from "../support/redis";
import { type QueueWorld, queueWorld, recordingJob } from "./support";

/**
 * `Worker.drainOnce`, what the Workers Cron Trigger runs: the queue over the Upstash REST
 * contract (no blocking read, no second connection), bounded by a time budget.
 */
let upstash: Awaited<ReturnType<typeof startUpstashRestServer>>;
let rest: RestRedis;

beforeAll(async () => {
  upstash = await startUpstashRestServer({ redisUrl: loadConfig().REDIS_URL!, token: "drain-test" });
  rest = new RestRedis({ url: upstash.url, token: "drain-test" });
});

afterAll(async () => {
  await upstash?.stop();
});

function restWorker(world: QueueWorld, options: Partial<WorkerOptions> & Pick<WorkerOptions, "jobs">): Worker {
  return new Worker({
    redis: rest,
    prefix: world.prefix,
    logger: consoleLogger("silent"),
    id: `edge-cron-${crypto.randomUUID().slice(0, 8)}`,
    ...options,
  });
}

async function streamState(world: QueueWorld, queue: string) {
  const stream = world.queue.keys.shard(0).stream(queue);
  const length = Number(await world.redis.send("XLEN", [stream]));
  const pending = (await world.redis.send("XPENDING", [stream, world.queue.keys.group])) as unknown[];
  return { waiting: length, pending: Number(pending[0]) };
}

// Upstash's REST API fronts one Redis, never a cluster: on the cluster run the REST server would read
// another server than the queue writes to. The PGlite and Postgres runs cover it.
describe.skipIf(onCluster())("a bounded drain over REST", () => {
  it("runs every waiting job in priority order, acks it, and returns as soon as the queues are empty", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const low = recordingJob("Low", "low", seen);
    for (const label of ["l1", "l2"]) await world.queue.dispatch(low, { label });
    for (const label of ["h1", "h2", "h3"]) await world.queue.dispatch(high, { label });

    const started = Date.now();
    const info = await restWorker(world, { jobs: [high, low], concurrency: 1 }).drainOnce({ budgetMs: 20_000 });

    expect(Date.now() - started).toBeLessThan(15_000);
    expect(seen).toEqual(["h1", "h2", "h3", "l1", "l2"]);
    expect(info.processed).toBe(5);
    expect(info.state).toBe("stopped");
    expect(await streamState(world, "high")).toEqual({ waiting: 0, pending: 0 });
    expect(await streamState(world, "low")).toEqual({ waiting: 0, pending: 0 });
  }, 30_000);

  it("stops reading at its budget, leaves the rest waiting, and the next pass runs each job once", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const slow = defineJob({
      name: "Slow",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ label: z.string() }),
      async handle(p) {
        await Bun.sleep(200);
        seen.push(p.label);
      },
    });
    const labels = Array.from({ length: 12 }, (_, i) => `j${i}`);
    for (const label of labels) await world.queue.dispatch(slow, { label });

    const first = await restWorker(world, { jobs: [slow], concurrency: 2 }).drainOnce({ budgetMs: 500 });
    expect(first.processed).toBeGreaterThan(0);
    expect(first.processed).toBeLessThan(labels.length);
    // What it read it finished; what it did not read is still waiting, claimed by no one.
    expect(await streamState(world, "default")).toEqual({ waiting: labels.length - first.processed, pending: 0 });

    const second = await restWorker(world, { jobs: [slow], concurrency: 4 }).drainOnce({ budgetMs: 20_000 });
    expect(first.processed + second.processed).toBe(labels.length);
    expect([...seen].sort()).toEqual([...labels].sort());
    expect(await streamState(world, "default")).toEqual({ waiting: 0, pending: 0 });
  }, 30_000);

  it("takes over an entry a killed pass left pending, and promotes delayed jobs that are due", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const job = recordingJob("Recorded", "default", seen);
    await world.queue.dispatch(job, { label: "stranded" });
    await world.queue.dispatch(job, { label: "delayed" }, { delay: 0.3 });
    // A pass that read the entry and was killed before it settled it.
    const stream = world.queue.keys.shard(0).stream("default");
    await world.queue.ensureGroups(["default"]);
    await world.redis.send("XREADGROUP", ["GROUP", world.queue.keys.group, "edge-cron-killed", "STREAMS", stream, ">"]);
    expect(await streamState(world, "default")).toEqual({ waiting: 1, pending: 1 });
    // Past the job's timeout (5 s) plus a zero grace, the entry counts as stalled; the delay is due.
    await Bun.sleep(5_100);

    const info = await restWorker(world, { jobs: [job], stallGraceMs: 0 }).drainOnce({ budgetMs: 10_000 });

    expect(seen.sort()).toEqual(["delayed", "stranded"]);
    expect(info.processed).toBe(2);
    expect(await streamState(world, "default")).toEqual({ waiting: 0, pending: 0 });
  }, 30_000);
});
