import { parseArgs } from "node:util";
import type { Database } from "../db/client";
import type { Config } from "../src/config";
import type { Logger } from "../src/logger";
import type { AnyJobDefinition } from "../src/queue/job";
import { QueueMonitor } from "../src/queue/monitor";
import { Worker } from "../src/queue/worker";
import type { WorkerMode } from "../src/queue/worker-options";
import type { RedisConnection } from "../src/redis/types";
import { PostgresFailedJobStore } from "../src/services/failed-job-store";
import { registeredJobs } from "./registry";

export type StartWorkersOptions = {
  redis: RedisConnection;
  db: Database;
  logger: Logger;
  prefix: string;
  jobs?: readonly AnyJobDefinition[];
  queues?: readonly string[];
  concurrency?: number;
  shards?: number;
  mode?: WorkerMode;
  /** How often a status line is logged (ms); 0 = never. */
  statusIntervalMs?: number;
};

export type RunningWorkers = {
  worker: Worker;
  /** Drains and stops; resolves when in-flight jobs finished or the drain timeout passed. */
  stop(): Promise<void>;
};

/**
 * Starts the app's worker in this process: the registry's jobs, failed jobs into Postgres.
 * The dev command calls it next to the API (one process owns a file-backed PGlite); the CLI
 * below calls it on its own.
 */
export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const queues = options.queues ?? ["high", "default", "low"];
  const jobs = options.jobs ?? registeredJobs;
  const failedStore = new PostgresFailedJobStore(options.db);
  const worker = new Worker({
    redis: options.redis,
    prefix: options.prefix,
    shards: options.shards,
    jobs,
    queues,
    concurrency: options.concurrency,
    mode: options.mode,
    failedStore,
    logger: options.logger,
  });
  await worker.start();
  const monitor = new QueueMonitor({
    redis: options.redis,
    prefix: options.prefix,
    shards: options.shards,
    queues,
    jobs,
    failedStore,
  });
  const log = options.logger;
  log.info(
    `worker ${worker.id} started: queues=${queues.join(",")} concurrency=${options.concurrency ?? 10} shards=${options.shards ?? 1} mode=${options.mode ?? "strict"} jobs=${jobs.map((j) => j.name).join(",")}`,
  );
  const statusIntervalMs = options.statusIntervalMs ?? 60_000;
  const status =
    statusIntervalMs > 0
      ? setInterval(async () => {
          const info = worker.info();
          const overview = await monitor.overview().catch(() => []);
          const depth = overview.map((o) => `${o.queue}=${o.waiting}w/${o.inFlight}r/${o.delayed}d`).join(" ");
          log.info(
            `worker ${info.state}: processed=${info.processed} failed=${info.failed} retried=${info.retried} released=${info.released} in_flight=${info.inFlight.length} ${depth}`,
          );
          for (const o of overview.filter((q) => q.longWait)) {
            log.warn("long wait", {
              queue: o.queue,
              oldestWaitingMs: o.oldestWaitingMs,
              thresholdMs: o.longWaitThresholdMs,
            });
          }
        }, statusIntervalMs)
      : null;
  return {
    worker,
    async stop() {
      if (status) clearInterval(status);
      await worker.stop();
    },
  };
}

/** `bun run worker` flags. */
export function parseWorkerFlags(args: readonly string[], config: Pick<Config, "QUEUE_SHARDS">) {
  const { values } = parseArgs({
    args: [...args],
    options: {
      queue: { type: "string", default: "high,default,low" },
      concurrency: { type: "string", default: "10" },
      shards: { type: "string", default: String(config.QUEUE_SHARDS) },
      mode: { type: "string", default: "strict" },
    },
    strict: true,
  });
  const queues = values.queue
    .split(",")
    .map((q) => q.trim())
    .filter(Boolean);
  const concurrency = Number(values.concurrency);
  const shards = Number(values.shards);
  if (queues.length === 0) throw new Error("--queue needs at least one queue");
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("--concurrency must be a positive integer");
  if (!Number.isInteger(shards) || shards < 1) throw new Error("--shards must be a positive integer");
  if (values.mode !== "strict" && values.mode !== "weighted") throw new Error("--mode must be strict or weighted");
  return { queues, concurrency, shards, mode: values.mode as WorkerMode };
}

async function main(): Promise<void> {
  const { loadConfig } = await import("../src/config");
  const { createLogger } = await import("../src/logger");
  const { connectTcpRedis } = await import("../src/redis/tcp");
  const { openDatabase } = await import("../db/client");
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { component: "worker" });
  let flags: ReturnType<typeof parseWorkerFlags>;
  try {
    flags = parseWorkerFlags(process.argv.slice(2), config);
  } catch (error) {
    console.error(
      `${(error as Error).message}\nusage: bun run worker [--queue=high,default,low] [--concurrency=10] [--shards=N] [--mode=strict|weighted]`,
    );
    process.exit(2);
  }
  if (!config.REDIS_URL) {
    console.error("REDIS_URL is not set: the worker needs a Redis over TCP (bun run dev starts one for you).");
    process.exit(1);
  }
  const redis = await connectTcpRedis(config.REDIS_URL);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    wsProxy: config.DATABASE_WS_PROXY,
    pgliteDir: config.DATABASE_URL ? undefined : config.PGLITE_DIR,
  });
  const running = await startWorkers({ redis, db: database.db, logger, prefix: config.REDIS_PREFIX, ...flags });
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal while draining is ignored; the drain timeout bounds the wait.
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining`);
    await running.stop();
    await database.close();
    redis.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) await main();
