/**
 * `bun run bench:queue`: this queue against BullMQ on the same Redis, same machine, same run,
 * no-op jobs on `default`. Our worker runs as `bun run worker` runs it: its default queues
 * (high,default,low, strict priority) and shards, only the concurrency set per phase. Every
 * phase runs for both contenders in turn, 3 rounds, and reports the median. Idle cost is counted
 * on the wire (round trips, through a counting proxy) as well as in Redis commands; memory per
 * waiting job from `used_memory`, ours also field by field. Uses REDIS_URL when set, else a
 * private redis-server. Prints a table of ratios and writes bench/results/queue-latest.json.
 */
import { cpus, totalmem } from "node:os";
import { Queue as BullQueue, Worker as BullWorker } from "bullmq";
import IORedis from "ioredis";
import { z } from "zod";
import { loadConfig } from "../src/config";
import { defineJob } from "../src/queue/job";
import { consoleLogger } from "../src/queue/logger";
import { Queue } from "../src/queue/queue";
import { Worker } from "../src/queue/worker";
import { startLocalRedis } from "../src/redis/local-server";
import { parseInfo } from "../src/redis/replies";
import { connectTcpRedis } from "../src/redis/tcp";
import type { RedisConnection } from "../src/redis/types";
import { parseCommandLine } from "../src/runtime/command-line";
import { parseWorkerFlags } from "../workers/index";
import { percentile } from "./support/load";
import { startRoundTripProxy } from "./support/round-trip-proxy";

const N_ONE_BY_ONE = 5_000;
const N_BULK = 50_000;
const N_C1 = 5_000;
const N_C50 = 50_000;
const LATENCY_RATE_PER_S = 1_000;
const LATENCY_SECONDS = 5;
const N_MEMORY = 10_000;
// `--quick` shortens the idle window for a fast look; the README figures use the full minute.
const ROUNDS = 3;
const { values: flags } = parseCommandLine({
  usage: `bun run bench:queue [--quick] [--only process_c1_per_s,process_c50_per_s,...]

  This queue against BullMQ on the same Redis (REDIS_URL, else a private redis-server); writes
  bench/results/queue-latest.json. --quick: a shorter idle window. --only: just the named
  measurements (their keys in the JSON), printed and not written to the results file.`,
  options: { quick: { type: "boolean", default: false }, only: { type: "string", default: "" } },
});
const ONLY = new Set(flags.only ? flags.only.split(",").map((s) => s.trim()) : []);
/** The concurrency-1 rate and its CPU per job come from the same rounds: naming either runs both. */
const C1_KEYS = ["process_c1_per_s", "process_c1_cpu_us_per_job"];
/** Whether a measurement runs: all of them, unless `--only` names some. */
const runs = (key: string) =>
  ONLY.size === 0 || ONLY.has(key) || (C1_KEYS.includes(key) && C1_KEYS.some((k) => ONLY.has(k)));
const IDLE_WINDOW_MS = flags.quick ? 10_000 : 60_000;
/** The worker `bun run worker` starts: its queues, mode and shards (the concurrency is the phase's). */
const CONFIG = loadConfig();
const WORKER_FLAGS = parseWorkerFlags([], CONFIG);

type Figures = {
  enqueue_per_s: number;
  enqueue_bulk_per_s: number;
  process_c1_per_s: number;
  /** CPU the contender's process spent per job in the concurrency-1 phase (its worker and client; not Redis's). */
  process_c1_cpu_us_per_job: number;
  process_c50_per_s: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  idle_commands_per_min: number;
  idle_round_trips_per_min: number;
  memory_per_waiting_job_bytes: number;
};

/** What a contender must offer the harness. */
type Contender = {
  name: "ours" | "bullmq";
  add(t0: number): Promise<void>;
  addBulk(count: number): Promise<void>;
  /** Starts a worker whose handler calls `onJob(t0)` (connected to `via` when given); resolves with a stop function. */
  work(concurrency: number, onJob: (t0: number) => void, via?: string): Promise<() => Promise<void>>;
  reset(): Promise<void>;
};

const now = () => performance.timeOrigin + performance.now();
const silent = consoleLogger("silent");

async function commandCount(redis: RedisConnection): Promise<number> {
  const stats = parseInfo(await redis.send("INFO", ["commandstats"]));
  let total = 0;
  for (const value of Object.values(stats)) total += Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
  return total;
}

function ours(redis: RedisConnection, prefix: string): Contender {
  const queue = new Queue({ redis, prefix });
  let handler: (t0: number) => void = () => {};
  const job = defineJob({
    name: "Noop",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 30,
    payload: z.object({ t0: z.number() }),
    handle: (p) => handler(p.t0),
  });
  return {
    name: "ours",
    add: async (t0) => void (await queue.dispatch(job, { t0 })),
    async addBulk(count) {
      for (let i = 0; i < count; i += 1000) {
        await queue.dispatchMany(
          job,
          Array.from({ length: Math.min(1000, count - i) }, () => ({ t0: 0 })),
        );
      }
    },
    async work(concurrency, onJob, via) {
      handler = onJob;
      const connection = via ? await connectTcpRedis(via) : redis;
      const worker = new Worker({
        redis: connection,
        prefix,
        jobs: [job],
        queues: WORKER_FLAGS.queues,
        mode: WORKER_FLAGS.mode,
        shards: WORKER_FLAGS.shards,
        pollSpinUs: CONFIG.WORKER_POLL_SPIN_US,
        concurrency,
        logger: silent,
      });
      await worker.start();
      return async () => {
        await worker.stop();
        if (via) connection.close();
      };
    },
    async reset() {
      await redis.send("FLUSHDB", []);
    },
  };
}

function bullmq(url: string, redis: RedisConnection): Contender {
  const connection = new IORedis(url, { maxRetriesPerRequest: null });
  const queue = new BullQueue("bench", { connection });
  const opts = { removeOnComplete: true, removeOnFail: true };
  return {
    name: "bullmq",
    add: async (t0) => void (await queue.add("noop", { t0 }, opts)),
    async addBulk(count) {
      for (let i = 0; i < count; i += 1000) {
        await queue.addBulk(
          Array.from({ length: Math.min(1000, count - i) }, () => ({ name: "noop", data: { t0: 0 }, opts })),
        );
      }
    },
    async work(concurrency, onJob, via) {
      const workerConnection = new IORedis(via ?? url, { maxRetriesPerRequest: null });
      const worker = new BullWorker("bench", async (job) => onJob(job.data.t0), {
        connection: workerConnection,
        concurrency,
      });
      await worker.waitUntilReady();
      return async () => {
        await worker.close();
        workerConnection.disconnect();
      };
    },
    async reset() {
      await redis.send("FLUSHDB", []);
    },
  };
}

async function enqueueOneByOne(c: Contender): Promise<number> {
  await c.reset();
  const t = now();
  for (let i = 0; i < N_ONE_BY_ONE; i++) await c.add(0);
  return N_ONE_BY_ONE / ((now() - t) / 1000);
}

async function enqueueBulk(c: Contender): Promise<number> {
  await c.reset();
  const t = now();
  await c.addBulk(N_BULK);
  return N_BULK / ((now() - t) / 1000);
}

/** CPU per job of each contender's concurrency-1 rounds, in µs (this process: worker and client). */
const c1CpuSeen = new Map<string, number[]>();

async function processRate(c: Contender, count: number, concurrency: number): Promise<number> {
  await c.reset();
  await c.addBulk(count);
  const cpuBefore = process.cpuUsage();
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const start = now();
  const stop = await c.work(concurrency, () => {
    done += 1;
    if (done === count) finished();
  });
  await all;
  const rate = count / ((now() - start) / 1000);
  if (concurrency === 1) {
    const cpu = process.cpuUsage(cpuBefore);
    c1CpuSeen.set(c.name, [...(c1CpuSeen.get(c.name) ?? []), (cpu.user + cpu.system) / count]);
  }
  await stop();
  return rate;
}

async function latency(c: Contender): Promise<{ p50: number; p99: number }> {
  await c.reset();
  const latencies: number[] = [];
  const total = LATENCY_RATE_PER_S * LATENCY_SECONDS;
  const stop = await c.work(50, (t0) => latencies.push(now() - t0));
  await Bun.sleep(500);
  const startAt = now();
  const adds: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // Offer jobs on a fixed schedule, independent of how fast they are taken.
    const wait = startAt + (i * 1000) / LATENCY_RATE_PER_S - now();
    if (wait > 1) await Bun.sleep(wait);
    adds.push(c.add(now()));
  }
  await Promise.all(adds);
  while (latencies.length < total) await Bun.sleep(10);
  await stop();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function idleCommands(c: Contender, redis: RedisConnection): Promise<number> {
  await c.reset();
  const stop = await c.work(50, () => {});
  await Bun.sleep(5_000);
  const before = await commandCount(redis);
  await Bun.sleep(IDLE_WINDOW_MS);
  // The second INFO call is the measurement's own, not the worker's.
  const idle = ((await commandCount(redis)) - before - 1) * (60_000 / IDLE_WINDOW_MS);
  await stop();
  return idle;
}

/** Network round trips per minute of an idle worker, counted by a proxy between it and Redis. */
async function idleRoundTrips(c: Contender, redis: RedisConnection, target: URL, db: number): Promise<number> {
  await c.reset();
  const proxy = await startRoundTripProxy({ hostname: target.hostname, port: Number(target.port) });
  const stop = await c.work(50, () => {}, proxy.url(db));
  await Bun.sleep(5_000);
  const before = proxy.trips;
  await Bun.sleep(IDLE_WINDOW_MS);
  const trips = (proxy.trips - before) * (60_000 / IDLE_WINDOW_MS);
  await stop();
  proxy.stop();
  await redis.send("PING", []);
  return trips;
}

async function usedMemory(redis: RedisConnection): Promise<number> {
  return Number(parseInfo(await redis.send("INFO", ["memory"])).used_memory ?? Number.NaN);
}

/** Redis memory a waiting job takes: `used_memory` before and after adding N_MEMORY jobs, per job. */
async function memoryPerJob(c: Contender, redis: RedisConnection): Promise<number> {
  await c.reset();
  await c.addBulk(10);
  const before = await usedMemory(redis);
  await c.addBulk(N_MEMORY);
  return ((await usedMemory(redis)) - before) / N_MEMORY;
}

/** Where our waiting job's bytes go: each key's share per job and the envelope's fields. */
async function ourMemoryBreakdown(c: Contender, redis: RedisConnection) {
  await c.reset();
  await c.addBulk(N_MEMORY);
  const keys = new Queue({ redis, prefix: "bench" }).keys.shard(0);
  const usage = async (key: string) => Number(await redis.send("MEMORY", ["USAGE", key, "SAMPLES", 0])) / N_MEMORY;
  const [entry] = (await redis.send("XRANGE", [keys.stream("default"), "-", "+", "COUNT", 1])) as Array<
    [string, string[]]
  >;
  const fields = entry?.[1] ?? [];
  const json = String(fields[fields.indexOf("job") + 1] ?? "{}");
  const envelope = JSON.parse(json) as Record<string, unknown>;
  return {
    stream_bytes_per_job: Math.round(await usage(keys.stream("default"))),
    index_bytes_per_job: Math.round(await usage(keys.index)),
    envelope_json_bytes: json.length,
    envelope_fields_bytes: Object.fromEntries(
      Object.entries(envelope).map(([k, v]) => [k, JSON.stringify({ [k]: v }).length - 2]),
    ),
  };
}

/** Dispatch-to-start latency, ROUNDS rounds; the round with the median p99 is kept whole. */
async function latencyRounds(contenders: readonly Contender[], out: Record<string, Figures>): Promise<void> {
  const latencies = new Map<string, Array<{ p50: number; p99: number }>>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const { p50, p99 } = await latency(c);
      console.error(`[${c.name}] latency round ${round + 1}: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
      latencies.get(c.name)!.push({ p50, p99 });
    }
  }
  for (const c of contenders) {
    // The round with the median p99 is kept whole, so p50 and p99 come from the same run.
    const rounds = latencies.get(c.name)!.sort((a, b) => a.p99 - b.p99);
    const kept = rounds[Math.floor(rounds.length / 2)]!;
    out[c.name]!.latency_p50_ms = kept.p50;
    out[c.name]!.latency_p99_ms = kept.p99;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Runs each phase for both contenders back to back, `ROUNDS` times, and reports each one's
 * median round: on a shared machine, alternating keeps drift from favouring whoever ran first,
 * and the median is neither the lucky round nor the unlucky one.
 */
async function measure(
  contenders: readonly Contender[],
  redis: RedisConnection,
  target: { url: URL; db: number },
): Promise<Record<string, Figures>> {
  const out: Record<string, Figures> = {};
  for (const c of contenders) out[c.name] = {} as Figures;
  const medianOf = async (key: keyof Figures, run: (c: Contender) => Promise<number>, rounds = ROUNDS) => {
    if (!runs(key)) return;
    const seen = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const c of contenders) {
        const value = await run(c);
        seen.get(c.name)!.push(value);
        console.error(`[${c.name}] ${key} round ${round + 1}: ${value.toFixed(2)}`);
      }
    }
    for (const c of contenders) out[c.name]![key] = median(seen.get(c.name)!);
  };
  await medianOf("enqueue_per_s", enqueueOneByOne);
  await medianOf("enqueue_bulk_per_s", enqueueBulk);
  await medianOf("process_c1_per_s", (c) => processRate(c, N_C1, 1));
  for (const c of contenders) {
    const seen = c1CpuSeen.get(c.name);
    if (seen) out[c.name]!.process_c1_cpu_us_per_job = median(seen);
  }
  await medianOf("process_c50_per_s", (c) => processRate(c, N_C50, 50));
  if (runs("latency_p50_ms") || runs("latency_p99_ms")) await latencyRounds(contenders, out);
  await medianOf("memory_per_waiting_job_bytes", (c) => memoryPerJob(c, redis));
  // A minute each: one round of the idle figures.
  if (runs("idle_commands_per_min")) {
    for (const c of contenders) out[c.name]!.idle_commands_per_min = await idleCommands(c, redis);
  }
  if (runs("idle_round_trips_per_min")) {
    for (const c of contenders) {
      out[c.name]!.idle_round_trips_per_min = await idleRoundTrips(c, redis, target.url, target.db);
    }
  }
  for (const f of Object.values(out)) {
    for (const key of Object.keys(f) as Array<keyof Figures>) {
      f[key] = key.startsWith("latency") ? Number(f[key].toFixed(3)) : Math.round(f[key]);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const local = config.REDIS_URL ? null : await startLocalRedis();
  const url = config.REDIS_URL ?? local!.url;
  const redis = await connectTcpRedis(url);
  const server = parseInfo(await redis.send("INFO", ["server"]));
  // A shared Redis (REDIS_URL) gets its own database so FLUSHDB between phases touches nothing else.
  const benchDb = config.REDIS_URL ? 15 : 0;
  await redis.send("SELECT", [benchDb]);
  const dbUrl = `${url.replace(/\/\d*$/, "")}/${benchDb}`;
  const benchRedis = await connectTcpRedis(dbUrl);

  const contenders = [ours(benchRedis, "bench"), bullmq(dbUrl, benchRedis)] as const;
  const measured = await measure(contenders, benchRedis, { url: new URL(url), db: benchDb });
  const results = { ours: measured.ours!, bullmq: measured.bullmq! };
  const oursMemory = ONLY.size === 0 ? await ourMemoryBreakdown(contenders[0], benchRedis) : null;
  const bullPkg = (await Bun.file(new URL("../node_modules/bullmq/package.json", import.meta.url)).json()) as {
    version: string;
  };
  const report = {
    measuredAt: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      platform: `${process.platform}-${process.arch}`,
    },
    versions: { bun: Bun.version, redis: server.redis_version ?? "unknown", bullmq: bullPkg.version },
    parameters: {
      enqueue_jobs: N_ONE_BY_ONE,
      bulk_jobs: N_BULK,
      process_c1_jobs: N_C1,
      process_c50_jobs: N_C50,
      latency_offered_per_s: LATENCY_RATE_PER_S,
      latency_seconds: LATENCY_SECONDS,
      idle_window_s: IDLE_WINDOW_MS / 1000,
      rounds_median_of: ROUNDS,
      memory_jobs: N_MEMORY,
      worker: { queues: WORKER_FLAGS.queues, mode: WORKER_FLAGS.mode, shards: WORKER_FLAGS.shards },
      shared_machine: "other work ran beside this benchmark: compare the ratios, not absolute figures",
    },
    ...results,
    ours_memory_breakdown: oursMemory,
  };
  // A partial run (--only) is printed, never written over the full results.
  if (ONLY.size === 0) {
    await Bun.write(new URL("./results/queue-latest.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  }

  const rows: Array<[keyof Figures, string]> = [
    ["enqueue_per_s", "enqueue, one by one (jobs/s, higher is better)"],
    ["enqueue_bulk_per_s", "enqueue, bulk (jobs/s, higher is better)"],
    ["process_c1_per_s", "process, concurrency 1 (jobs/s, higher is better)"],
    ["process_c1_cpu_us_per_job", "process, concurrency 1: worker CPU per job (µs, lower is better)"],
    ["process_c50_per_s", "process, concurrency 50 (jobs/s, higher is better)"],
    ["latency_p50_ms", `latency p50 at ${LATENCY_RATE_PER_S}/s offered (ms, lower is better)`],
    ["latency_p99_ms", `latency p99 at ${LATENCY_RATE_PER_S}/s offered (ms, lower is better)`],
    ["idle_commands_per_min", "idle worker (Redis commands/min, lower is better)"],
    ["idle_round_trips_per_min", "idle worker (network round trips/min, lower is better)"],
    ["memory_per_waiting_job_bytes", "Redis memory per waiting job (bytes, lower is better)"],
  ];
  console.log("| metric | ours | BullMQ | ours ÷ BullMQ |");
  console.log("|---|---:|---:|---:|");
  for (const [key, label] of rows) {
    if (!runs(key)) continue;
    const a = results.ours[key];
    const b = results.bullmq[key];
    console.log(`| ${label} | ${a} | ${b} | ${(a / b).toFixed(2)} |`);
  }
  if (oursMemory) console.log(`\nour waiting job, field by field: ${JSON.stringify(oursMemory)}`);
  console.log(
    `worker: queues ${WORKER_FLAGS.queues.join(",")}, mode ${WORKER_FLAGS.mode}, shards ${WORKER_FLAGS.shards}`,
  );
  console.log(
    `\n${report.machine.cpu}, ${report.machine.cores} cores; Bun ${Bun.version}, Redis ${report.versions.redis}, BullMQ ${bullPkg.version}`,
  );
  benchRedis.close();
  redis.close();
  await local?.stop();
}

await main();
process.exit(0);
