/**
 * Fault tests on a private Redis Cluster (3 masters + 3 replicas, cluster-node-timeout 1 s), run by
 * CI's cluster step: `bun test ./test/cluster/faults.cluster.ts` (not picked up by a plain
 * `bun test`, they take a few minutes). Each prints a `fault-count` line the README table quotes.
 * CLUSTER_FAULT_FAILOVERS sets the number of failovers (CI: 3; the README figure: 10).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { NotReplicatedError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Queue } from "../../src/queue/queue";
import { Worker } from "../../src/queue/worker";
import { type ClusterRedis, connectClusterRedis } from "../../src/redis/cluster";
import type { LocalCluster } from "../../src/redis/local-cluster";
import { clusterNodes, killMaster, masterOf, settled, testCluster, until } from "../support/cluster";
import { startTcpProxy } from "../support/tcp-proxy";

const FAILOVERS = Number(process.env.CLUSTER_FAULT_FAILOVERS ?? 3);
const SHARDS = 3;

function report(name: string, counts: Record<string, number>): void {
  console.log(`fault-count ${name} ${JSON.stringify(counts)}`);
}

/** A job that counts its runs in this process (the cluster may lose data; this tally cannot). */
function countingJob(runs: Map<string, number>, workMs = 0) {
  return defineJob({
    name: "Counted",
    queue: "high",
    tries: 5,
    backoff: [0],
    timeout: 2,
    payload: z.object({ n: z.number() }),
    partitionKey: (p) => String(p.n),
    async handle(_p, ctx) {
      if (workMs > 0) await Bun.sleep(workMs);
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
    },
  });
}

const fastWorker = {
  shards: SHARDS,
  logger: consoleLogger("silent"),
  concurrency: 20,
  blockMs: 200,
  promoteIntervalMs: 50,
  stallGraceMs: 500,
  stallCheckIntervalMs: 250,
  heartbeatIntervalMs: 250,
  metricsFlushIntervalMs: 200,
};

/** Dispatches steadily (every other job durable) until stopped; counts what was acknowledged. */
function steadyDispatch(queue: Queue, job: ReturnType<typeof countingJob>) {
  const acked = { durable: new Set<string>(), plain: new Set<string>() };
  const refused = { durable: 0, plain: 0, notReplicated: 0 };
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      n += 1;
      const durable = n % 2 === 0;
      try {
        const id = await queue.dispatch(job, { n }, { durable });
        if (id) acked[durable ? "durable" : "plain"].add(id);
      } catch (error) {
        if (error instanceof NotReplicatedError) refused.notReplicated += 1;
        refused[durable ? "durable" : "plain"] += 1;
      }
      await Bun.sleep(3);
    }
  })();
  return {
    acked,
    refused,
    async stop() {
      running = false;
      await loop;
    },
  };
}

function lostAndDuplicated(acked: Set<string>, runs: Map<string, number>) {
  let lost = 0;
  let duplicated = 0;
  for (const id of acked) {
    const count = runs.get(id) ?? 0;
    if (count === 0) lost += 1;
    if (count > 1) duplicated += 1;
  }
  return { lost, duplicated };
}

describe("Redis Cluster faults", () => {
  let local: LocalCluster;
  let redis: ClusterRedis;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const started = await testCluster({ private: true, nodeTimeoutMs: 1000 });
    local = started.local!;
    redis = started.redis;
    stop = started.stop;
  }, 60_000);

  afterAll(async () => {
    await stop();
  });

  it(
    `loses no durable dispatch across ${FAILOVERS} failovers under steady dispatch and processing`,
    async () => {
      const prefix = `failover${process.pid}`;
      const runs = new Map<string, number>();
      const job = countingJob(runs);
      const queue = new Queue({ redis, prefix, shards: SHARDS });
      const worker = new Worker({ redis, prefix, jobs: [job], ...fastWorker });
      await worker.start();
      const flow = steadyDispatch(queue, job);
      const takeovers: number[] = [];
      try {
        for (let i = 0; i < FAILOVERS; i++) {
          await Bun.sleep(1000);
          const victim = await masterOf(local, redis, queue.keys.shard(i % SHARDS).tag);
          takeovers.push(await killMaster(local, victim));
          // Back as a replica of the promoted one, so the next failover has a replica to promote.
          await victim.start();
          await until("the old master back as an in-sync replica", 30_000, () => settled(local, 1));
        }
        await Bun.sleep(1000);
        // A loaded machine dispatches fewer in the same time: keep the flow going until the run
        // has acknowledged enough durable dispatches to mean something (the check below).
        await until(
          "enough durable dispatches acknowledged",
          30_000,
          async () => flow.acked.durable.size > FAILOVERS * 50,
        );
      } finally {
        await flow.stop();
      }
      await until("every acknowledged durable job processed", 30_000, async () =>
        [...flow.acked.durable].every((id) => runs.has(id)),
      );
      // Plain dispatches get the same time to show up; the ones still missing were lost.
      await until("every acknowledged plain job processed", 5_000, async () =>
        [...flow.acked.plain].every((id) => runs.has(id)),
      ).catch(() => 0);
      await worker.stop();
      const durable = lostAndDuplicated(flow.acked.durable, runs);
      const plain = lostAndDuplicated(flow.acked.plain, runs);
      report("failover", {
        failovers: FAILOVERS,
        takeover_ms_max: Math.max(...takeovers),
        durable_acked: flow.acked.durable.size,
        durable_lost: durable.lost,
        durable_duplicated: durable.duplicated,
        durable_refused: flow.refused.durable,
        not_replicated: flow.refused.notReplicated,
        plain_acked: flow.acked.plain.size,
        plain_lost: plain.lost,
        plain_duplicated: plain.duplicated,
        plain_refused: flow.refused.plain,
      });
      expect(flow.acked.durable.size).toBeGreaterThan(FAILOVERS * 50);
      expect(durable.lost).toBe(0);
    },
    FAILOVERS * 40_000 + 60_000,
  );

  it("moves a busy shard's slots to another master with redis-cli --cluster reshard: 0 lost, no worker stuck", async () => {
    const prefix = `reshard${process.pid}`;
    const runs = new Map<string, number>();
    const job = countingJob(runs);
    const queue = new Queue({ redis, prefix, shards: SHARDS });
    const worker = new Worker({ redis, prefix, jobs: [job], ...fastWorker });
    await worker.start();
    const flow = steadyDispatch(queue, job);
    const busy = await masterOf(local, redis, queue.keys.shard(0).tag);
    const target = await masterOf(local, redis, queue.keys.shard(1).tag).then(async (m) =>
      m === busy ? masterOf(local, redis, queue.keys.shard(2).tag) : m,
    );
    let moved = 0;
    try {
      await Bun.sleep(500);
      const nodes = await clusterNodes(local);
      const from = nodes.get(busy.address)!;
      const to = nodes.get(target.address)!;
      moved = from.slots.reduce((sum, range) => {
        const [a, b] = range.split("-").map(Number);
        return sum + ((b ?? a)! - a! + 1);
      }, 0);
      const child = Bun.spawn(
        [
          "redis-cli",
          "--cluster",
          "reshard",
          busy.address,
          "--cluster-from",
          from.id,
          "--cluster-to",
          to.id,
          "--cluster-slots",
          String(moved),
          "--cluster-yes",
          "--cluster-pipeline",
          "100",
        ],
        { stdout: "ignore", stderr: "pipe" },
      );
      expect(await child.exited).toBe(0);
      expect((await masterOf(local, redis, queue.keys.shard(0).tag)).address).toBe(target.address);
      await Bun.sleep(1000);
    } finally {
      await flow.stop();
    }
    await until("every acknowledged job processed", 30_000, async () =>
      [...flow.acked.durable, ...flow.acked.plain].every((id) => runs.has(id)),
    ).catch(() => 0);
    // Not stuck: a job dispatched after the move to the moved shard is processed at once.
    const after = await queue.dispatch(job, { n: 0 });
    await until("a job dispatched after the reshard", 10_000, async () => runs.has(after!));
    await worker.stop();
    const all = lostAndDuplicated(new Set([...flow.acked.durable, ...flow.acked.plain]), runs);
    report("reshard", {
      slots_moved: moved,
      acked: flow.acked.durable.size + flow.acked.plain.size,
      lost: all.lost,
      duplicated: all.duplicated,
      refused: flow.refused.durable + flow.refused.plain,
    });
    expect(all.lost).toBe(0);
  }, 120_000);

  it("reclaims a partitioned worker's jobs, and its late acks change nothing", async () => {
    const prefix = `partition${process.pid}`;
    const runs = new Map<string, number>();
    const started = new Map<string, number>();
    const slow = defineJob({
      name: "Slow",
      queue: "high",
      tries: 3,
      backoff: [0],
      timeout: 2,
      payload: z.object({ n: z.number() }),
      partitionKey: (p) => String(p.n),
      async handle(_p, ctx) {
        started.set(ctx.jobId, (started.get(ctx.jobId) ?? 0) + 1);
        await Bun.sleep(1500);
        runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      },
    });
    // Worker A reaches every node through a proxy that the test cuts.
    const proxies = await Promise.all(local.nodes.map((n) => startTcpProxy({ hostname: "127.0.0.1", port: n.port })));
    const map = Object.fromEntries(
      local.nodes.map((n, i) => [n.address, { host: "127.0.0.1", port: Number(new URL(proxies[i]!.url).port) }]),
    );
    const seeds = Object.values(map);
    const partitioned = await connectClusterRedis(seeds, map);
    const queue = new Queue({ redis, prefix, shards: SHARDS });
    const a = new Worker({ redis: partitioned, prefix, jobs: [slow], ...fastWorker, concurrency: 10, id: "worker-a" });
    await a.start();
    const ids = await queue.dispatchMany(
      slow,
      Array.from({ length: 10 }, (_, n) => ({ n })),
    );
    await until("worker A running every job", 10_000, async () => started.size === 10);
    for (const proxy of proxies) proxy.down();
    const b = new Worker({ redis, prefix, jobs: [slow], ...fastWorker, id: "worker-b" });
    await b.start();
    // Past the stall threshold (timeout 2 s + grace 0.5 s) and A's finish, with A still cut off.
    await Bun.sleep(6000);
    for (const proxy of proxies) await proxy.up();
    await until("every job finished by someone", 20_000, async () => ids.every((id) => runs.has(id!)));
    await Bun.sleep(1500);
    await Promise.all([a.stop(), b.stop()]);
    const pending = await Promise.all(
      Array.from(
        { length: SHARDS },
        (_, s) => redis.send("XPENDING", [queue.keys.shard(s).stream("high"), queue.keys.group]) as Promise<unknown[]>,
      ),
    );
    const lengths = await Promise.all(
      Array.from({ length: SHARDS }, (_, s) => redis.send("XLEN", [queue.keys.shard(s).stream("high")])),
    );
    const failed = Number(await redis.send("ZCARD", [queue.keys.global.failed]));
    const reran = [...started.values()].filter((n) => n > 1).length;
    report("partition", {
      jobs: ids.length,
      rerun_by_other_worker: reran,
      failed,
      left_pending: pending.reduce((s, p) => s + Number(p[0]), 0),
    });
    expect(reran).toBeGreaterThan(0);
    expect(pending.map((p) => Number(p[0]))).toEqual([0, 0, 0]);
    expect(lengths.map(Number)).toEqual([0, 0, 0]);
    expect(failed).toBe(0);
    partitioned.close();
    for (const proxy of proxies) proxy.down();
  }, 60_000);
});

describe("Redis Cluster after a long outage", () => {
  let local: LocalCluster;
  let redis: ClusterRedis;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const started = await testCluster({ private: true, nodeTimeoutMs: 1000, appendOnly: true });
    local = started.local!;
    redis = started.redis;
    stop = started.stop;
  }, 60_000);

  afterAll(async () => {
    await stop();
  });

  it("recovers by itself when a master and its replica come back after 60 s down", async () => {
    const prefix = `outage${process.pid}`;
    const runs = new Map<string, number>();
    const job = countingJob(runs);
    const queue = new Queue({ redis, prefix, shards: SHARDS });
    const worker = new Worker({ redis, prefix, jobs: [job], ...fastWorker });
    await worker.start();
    const before = await queue.dispatch(job, { n: 1 });
    await until("the first job", 10_000, async () => runs.has(before!));
    const master = await masterOf(local, redis, queue.keys.shard(0).tag);
    const nodes = await clusterNodes(local);
    const masterId = nodes.get(master.address)!.id;
    const replica = local.nodes.find((n) => nodes.get(n.address)?.masterId === masterId)!;
    // Let the append-only files catch up (fsync every second), then take the whole shard down.
    await Bun.sleep(1200);
    await Promise.all([master.kill("SIGKILL"), replica.kill("SIGKILL")]);
    const downSince = Date.now();
    let failedWhileDown = 0;
    while (Date.now() - downSince < 60_000) {
      await queue.dispatch(job, { n: 2 }).catch(() => {
        failedWhileDown += 1;
      });
      await Bun.sleep(2000);
    }
    await Promise.all([master.start(), replica.start()]);
    await until("the cluster whole again", 30_000, () => settled(local, 1));
    const wholeAt = Date.now();
    // The same connection and worker, never rebuilt: they must find the shard again themselves.
    const after = await until("a dispatch through the old connection", 30_000, async () => {
      const id = await queue.dispatch(job, { n: 3 });
      return id !== null && (await until("it is processed", 10_000, async () => runs.has(id)).then(() => true));
    });
    await worker.stop();
    report("long-outage", {
      down_ms: wholeAt - downSince,
      dispatches_failed_while_down: failedWhileDown,
      recovered_after_ms: after,
    });
    expect(failedWhileDown).toBeGreaterThan(0);
    expect(after).toBeLessThan(30_000);
  }, 150_000);
});
