/**
 * `bun run bench:cluster`: short runs on private Redis processes started here.
 *  1. Client on one node: Bun's RedisClient (single node) against the ioredis Cluster client on a
 *     one-master cluster — SET/GET and EVALSHA, 100 in flight.
 *  2. Queue: jobs/s (dispatch, then process with one worker, concurrency 50) on one node and on
 *     3 masters, QUEUE_SHARDS 1/3/6, with each master's CPU (INFO cpu) and where the shards land.
 * Writes bench/results/cluster-latest.json. `--quick` halves the job counts.
 */
import { cpus } from "node:os";
import { z } from "zod";
import { defineJob } from "../src/queue/job";
import { consoleLogger } from "../src/queue/logger";
import { Queue } from "../src/queue/queue";
import { Worker } from "../src/queue/worker";
import { type ClusterRedis, connectClusterRedis } from "../src/redis/cluster";
import { keySlot } from "../src/redis/key-slot";
import { startLocalCluster } from "../src/redis/local-cluster";
import { startLocalRedis } from "../src/redis/local-server";
import { parseInfo } from "../src/redis/replies";
import { defineScript, runScript } from "../src/redis/script";
import { connectTcpRedis } from "../src/redis/tcp";
import type { RedisConnection } from "../src/redis/types";
import { parseCommandLine } from "../src/runtime/command-line";

const { values: flags } = parseCommandLine({
  usage: `bun run bench:cluster [--quick]

  Dispatch and processing on one node and on a local 3-master cluster, by shard count, with
  where each shard lands. --quick: fewer operations.`,
  options: { quick: { type: "boolean", default: false } },
});
const QUICK = flags.quick;
const OPS = QUICK ? 20_000 : 40_000;
const JOBS = QUICK ? 5_000 : 10_000;
const IN_FLIGHT = 100;
const script = defineScript("bench:incr", 1, "return redis.call('INCR', KEYS[1])");

async function opsPerSecond(run: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < OPS) await run(next++);
    }),
  );
  return Math.round(OPS / ((performance.now() - started) / 1000));
}

async function clientFigures(redis: RedisConnection) {
  await redis.send("SET", ["bench:warm", "1"]);
  const setGet = await opsPerSecond((i) =>
    i % 2 === 0 ? redis.send("SET", [`bench:k:${i % 1000}`, "v"]) : redis.send("GET", [`bench:k:${i % 1000}`]),
  );
  const evalsha = await opsPerSecond((i) => runScript(redis, script, [`bench:s:${i % 1000}`], []));
  return { set_get_per_s: setGet, evalsha_per_s: evalsha };
}

type Cpu = (port: number) => Promise<number>;
const cpuOf =
  (redis: RedisConnection): Cpu =>
  async () => {
    const info = parseInfo(await redis.send("INFO", ["cpu"]));
    return Number(info.used_cpu_user) + Number(info.used_cpu_sys);
  };

async function queueFigures(redis: RedisConnection, shards: number, cpu: Map<number, Cpu>) {
  const prefix = `bench${process.pid}s${shards}${Math.random().toString(36).slice(2, 6)}`;
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const job = defineJob({
    name: "Noop",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 10,
    payload: z.object({ n: z.number() }),
    partitionKey: (p) => String(p.n),
    handle() {
      done += 1;
      if (done === JOBS) allDone();
    },
  });
  const queue = new Queue({ redis, prefix, shards });
  const payloads = Array.from({ length: JOBS }, (_, n) => ({ n }));
  let started = performance.now();
  for (let i = 0; i < JOBS; i += 500) await queue.dispatchMany(job, payloads.slice(i, i + 500));
  const dispatchPerS = Math.round(JOBS / ((performance.now() - started) / 1000));
  const worker = new Worker({ redis, prefix, shards, jobs: [job], concurrency: 50, logger: consoleLogger("silent") });
  const cpuBefore = new Map(await Promise.all([...cpu].map(async ([port, read]) => [port, await read(port)] as const)));
  const clientBefore = process.cpuUsage();
  started = performance.now();
  await worker.start();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const nodeCpu = Object.fromEntries(
    await Promise.all(
      [...cpu].map(async ([port, read]) => [
        port,
        `${Math.round((((await read(port)) - cpuBefore.get(port)!) / seconds) * 100)}%`,
      ]),
    ),
  );
  await worker.stop();
  return {
    shards,
    dispatch_per_s: dispatchPerS,
    process_per_s: Math.round(JOBS / seconds),
    redis_cpu: nodeCpu,
    worker_cpu: `${Math.round(((client.user + client.system) / 1e6 / seconds) * 100)}%`,
  };
}

function shardPlacement(cluster: ClusterRedis, prefix: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => {
    const tag = `{${prefix}:${i}}`;
    return `${tag} slot ${keySlot(tag)} → ${cluster.masterFor(tag)}`;
  });
}

const say = (m: string) => console.error(`[bench:cluster] ${m}`);
/** Servers started here, stopped if a run fails half-way so no redis-server outlives the bench. */
const started: Array<{ stop(): Promise<void> }> = [];

async function main(): Promise<void> {
  const results: Record<string, unknown> = { cpus: cpus().length, ops: OPS, jobs: JOBS };

  say("client on one node: Bun RedisClient vs ioredis Cluster (one-master cluster)");
  const single = await startLocalRedis();
  started.push(single);
  const one = await startLocalCluster({ masters: 1, replicasPerMaster: 0 });
  started.push(one);
  const bun = await connectTcpRedis(single.url);
  const ioOne = await connectClusterRedis(one.seeds);
  const client: Record<string, unknown> = {};
  for (const round of [1, 2]) {
    client[`bun_round${round}`] = await clientFigures(bun);
    client[`ioredis_cluster_round${round}`] = await clientFigures(ioOne);
  }
  results.client_one_node = client;
  console.table(client);
  ioOne.close();
  await one.stop();

  say("queue: one node (Bun client)");
  const queueRuns: unknown[] = [];
  const singlePort = Number(new URL(single.url).port);
  for (const shards of [1, 3, 6]) {
    const run = await queueFigures(bun, shards, new Map([[singlePort, cpuOf(bun)]]));
    queueRuns.push({ setup: "1 node", ...run });
    say(JSON.stringify(run));
  }
  bun.close();
  await single.stop();

  say("queue: 3 masters + 3 replicas (ioredis Cluster)");
  const three = await startLocalCluster({ masters: 3, replicasPerMaster: 1 });
  started.push(three);
  const cluster = await connectClusterRedis(three.seeds);
  const masters = new Map<number, Cpu>();
  for (const node of three.nodes) {
    const direct = await connectTcpRedis(`redis://${node.address}`);
    const role = parseInfo(await direct.send("INFO", ["replication"])).role;
    if (role === "master") masters.set(node.port, cpuOf(direct));
    else direct.close();
  }
  results.shard_placement_fh = shardPlacement(cluster, "fh", 6);
  for (const line of results.shard_placement_fh as string[]) say(line);
  for (const shards of [1, 3, 6]) {
    const run = await queueFigures(cluster, shards, masters);
    queueRuns.push({ setup: "3 masters", ...run });
    say(JSON.stringify(run));
  }
  results.queue = queueRuns;
  console.table(
    queueRuns.map((r) => ({ ...(r as object), redis_cpu: JSON.stringify((r as { redis_cpu: unknown }).redis_cpu) })),
  );
  cluster.close();
  await three.stop();
  await Bun.write("bench/results/cluster-latest.json", `${JSON.stringify(results, null, 2)}\n`);
  say("wrote bench/results/cluster-latest.json");
}

try {
  await main();
} catch (error) {
  await Promise.allSettled(started.map((s) => s.stop()));
  throw error;
}
process.exit(0);
