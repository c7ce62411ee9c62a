/**
 * `bun run bench:autoscale [--jobs N] [--max N]`: time to drain a backlog (default 50 000 jobs of
 * 5 ms each, concurrency 5 per process) with a fixed pool of one process, a fixed pool of `--max`
 * processes, and a supervisor with `--balance auto` from 1 to `--max` (cooldown 1 s, max shift 1).
 * Each phase has its own key prefix on the same Redis (REDIS_URL, else a private redis-server).
 * Prints a table and writes bench/results/autoscale-latest.json.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../src/config";
import { readDepths } from "../src/queue/inspect-depth";
import { defineJobContract } from "../src/queue/job";
import { consoleLogger } from "../src/queue/logger";
import { Queue } from "../src/queue/queue";
import { Supervisor, type SupervisorOptions } from "../src/queue/supervisor";
import { startLocalRedis } from "../src/redis/local-server";
import { connectTcpRedis } from "../src/redis/tcp";
import type { RedisConnection } from "../src/redis/types";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { jobs: { type: "string", default: "50000" }, max: { type: "string", default: "4" } },
});
const JOBS = Number(values.jobs);
const MAX = Number(values.max);
const workerScript = new URL("./support/autoscale-worker.ts", import.meta.url).pathname;
const Work = defineJobContract({
  name: "Work",
  queue: "default",
  tries: 1,
  backoff: [],
  timeout: 10,
  payload: z.object({ n: z.number() }),
});

type Phase = { name: string; pool: Pick<SupervisorOptions, "balance" | "minProcesses" | "maxProcesses"> };
type Result = { phase: string; jobs: number; drain_s: number; jobs_per_s: number; peak_processes: number };

async function drain(redis: RedisConnection, url: string, phase: Phase): Promise<Result> {
  const prefix = `bench-autoscale-${phase.name}-${Date.now()}`;
  const queue = new Queue({ redis, prefix });
  await queue.ensureGroups(["default"]);
  for (let start = 0; start < JOBS; start += 5000) {
    const count = Math.min(5000, JOBS - start);
    await queue.dispatchMany(
      Work,
      Array.from({ length: count }, (_, i) => ({ n: start + i })),
    );
  }
  const supervisor = new Supervisor({
    redis,
    prefix,
    queues: ["default"],
    concurrency: 5,
    command: (id) => [process.execPath, workerScript, url, prefix, id],
    cooldownMs: 1000,
    checkIntervalMs: 250,
    maxShift: 1,
    jobsPerProcess: 500,
    targetWaitMs: 5000,
    logger: consoleLogger("warn"),
    ...phase.pool,
  });
  const started = performance.now();
  await supervisor.start();
  let peak = supervisor.size;
  for (;;) {
    peak = Math.max(peak, supervisor.size);
    const [depth] = (await readDepths(redis, queue.keys, ["default"], Date.now())).get("default")!;
    // Every job acked (acked entries are deleted): the backlog is drained.
    if (depth && depth.waiting === 0 && depth.inFlight === 0) break;
    await Bun.sleep(100);
  }
  const seconds = (performance.now() - started) / 1000;
  await supervisor.stop();
  return {
    phase: phase.name,
    jobs: JOBS,
    drain_s: Math.round(seconds * 10) / 10,
    jobs_per_s: Math.round(JOBS / seconds),
    peak_processes: peak,
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const local = config.REDIS_URL ? null : await startLocalRedis();
  const url = config.REDIS_URL ?? local!.url;
  const redis = await connectTcpRedis(url);
  const load = loadavg()[0]!;
  const phases: Phase[] = [
    { name: "fixed-1", pool: { balance: "off", minProcesses: 1 } },
    { name: `fixed-${MAX}`, pool: { balance: "off", minProcesses: MAX } },
    { name: `auto-1-${MAX}`, pool: { balance: "auto", minProcesses: 1, maxProcesses: MAX } },
  ];
  const results: Result[] = [];
  try {
    for (const phase of phases) {
      const result = await drain(redis, url, phase);
      console.log(JSON.stringify(result));
      results.push(result);
    }
  } finally {
    redis.close();
    await local?.stop();
  }
  console.table(results);
  const out = { at: new Date().toISOString(), cpus: cpus().length, loadavg_1m_at_start: load, results };
  await Bun.write(new URL("./results/autoscale-latest.json", import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
}

await main();
