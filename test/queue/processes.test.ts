import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { listWorkers } from "../../src/queue/worker-registry";
import { CountJob } from "./fixtures/count-job";
import { spawnWorkerProcess } from "./fixtures/spawn-worker";
import { queueWorld, waitFor } from "./support";

function spawnWorker(prefix: string, scenario: "count" | "slow", concurrency: number) {
  return spawnWorkerProcess(loadConfig().REDIS_URL!, prefix, scenario, concurrency);
}

describe("worker processes", () => {
  it("finishes the job of a worker killed with SIGKILL mid-job once it passes the idle threshold", async () => {
    const world = await queueWorld();
    const victim = await spawnWorker(world.prefix, "slow", 1);
    const finishedBy: Array<{ id: string; attempt: number }> = [];
    const slow = defineJob({
      name: "Slow",
      queue: "default",
      tries: 3,
      backoff: [1],
      timeout: 1,
      payload: z.object({ n: z.number() }),
      handle(_p, ctx) {
        finishedBy.push({ id: ctx.jobId, attempt: ctx.attempt });
      },
    });
    const id = (await world.queue.dispatch(slow, { n: 1 }))!;
    await waitFor(
      () => world.redis.send("HGET", [`{${world.prefix}:test}:started`, id]),
      5000,
      "job start in the victim",
    );
    victim.kill("SIGKILL");
    await victim.exited;

    // The survivor only knows the idle threshold (timeout 1 s + grace 0.5 s), not that the victim died.
    const survivor = world.worker({ jobs: [slow], queues: ["default"], stallGraceMs: 500, deadAfterMs: 60_000 });
    const killedAt = Date.now();
    await survivor.start();
    await waitFor(() => finishedBy.length === 1, 5000, "the survivor to finish the job");
    expect(finishedBy).toEqual([{ id, attempt: 1 }]);
    expect(Date.now() - killedAt).toBeLessThan(4000);
    const workers = await listWorkers(world.redis, world.queue.keys, { now: Date.now(), deadAfterMs: 1000 });
    expect(workers.find((w) => w.pid === victim.pid)?.dead).toBe(true);
    await survivor.stop();
    expect(Number(await world.redis.send("XLEN", [world.queue.keys.shard(0).stream("default")]))).toBe(0);
  }, 20_000);

  it("handles 10,000 jobs per worker across 4 worker processes exactly once", async () => {
    const world = await queueWorld();
    const total = 40_000;
    await world.queue.ensureGroups(["default"]);
    const children = await Promise.all([1, 2, 3, 4].map(() => spawnWorker(world.prefix, "count", 50)));
    const payloads = Array.from({ length: total }, (_, n) => ({ n }));
    const ids = (await world.queue.dispatchMany(CountJob, payloads)) as string[];
    const tally = `{${world.prefix}:test}:tally`;
    await waitFor(async () => Number(await world.redis.send("HLEN", [tally])) >= total, 60_000, "all jobs handled");
    for (const child of children) child.kill("SIGTERM");
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    const counts = (await world.redis.send("HGETALL", [tally])) as Record<string, string>;
    expect(Object.keys(counts).length).toBe(total);
    expect(Object.values(counts).every((v) => v === "1")).toBe(true);
    expect(new Set(ids).size).toBe(total);
    expect(ids.every((id) => counts[id] === "1")).toBe(true);
    const keys = world.queue.keys.shard(0);
    expect(Number(await world.redis.send("XLEN", [keys.stream("default")]))).toBe(0);
    expect(Number(await world.redis.send("HLEN", [keys.index]))).toBe(0);
    const workers = await listWorkers(world.redis, world.queue.keys, { now: Date.now(), deadAfterMs: 10_000 });
    const byWorker = workers.map((w) => w.processed);
    expect(byWorker.reduce((a, b) => a + b, 0)).toBe(total);
    // Every process took a share.
    expect(byWorker.every((n) => n > 0)).toBe(true);
  }, 90_000);
});
