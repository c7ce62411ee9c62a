import { parseArgs } from "node:util";
import type { Config } from "../src/config";
import type { WorkerMode } from "../src/queue/worker-options";
import { startPosRuntime } from "./pos-runtime";

export const WORKER_USAGE = `bun run worker [--queue=high,default,low] [--concurrency=10] [--shards=N] [--mode=strict|weighted]

  Runs the app's queue workers (the POS sync jobs) until SIGTERM / Ctrl-C, then drains.
  --queue        queues to serve, in priority order
  --concurrency  handlers running at once
  --shards       must match QUEUE_SHARDS of the producers (default: QUEUE_SHARDS)
  --mode         strict: a queue only when the ones before it are empty; weighted: mixed 6/3/1
  Next to \`bun run dev\` it uses that system's Redis and database.`;

/** The app's queues, in priority order; the POS jobs use all three. */
const APP_QUEUES = ["high", "default", "low"];

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
  const unknown = queues.filter((q) => !APP_QUEUES.includes(q));
  if (unknown.length > 0)
    throw new Error(`--queue: unknown queue ${unknown.join(", ")} (the app's are ${APP_QUEUES.join(", ")})`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("--concurrency must be a positive integer");
  if (!Number.isInteger(shards) || shards < 1) throw new Error("--shards must be a positive integer");
  if (values.mode !== "strict" && values.mode !== "weighted") throw new Error("--mode must be strict or weighted");
  return { queues, concurrency, shards, mode: values.mode as WorkerMode };
}

async function main(): Promise<void> {
  const { ConfigError } = await import("../src/config");
  const { createLogger, logRedisState } = await import("../src/logger");
  const { connectRedis, hasRedisTarget } = await import("../src/redis/connect");
  const { openConfiguredDatabaseOrExit } = await import("../db/client");
  const { exitWithUsage } = await import("../src/runtime/command-line");
  const { configNextToDev } = await import("../scripts/dev-state");
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(WORKER_USAGE);
    process.exit(0);
  }
  let config: Config;
  try {
    config = configNextToDev();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL, { component: "worker" });
  let flags: ReturnType<typeof parseWorkerFlags>;
  try {
    flags = parseWorkerFlags(argv, config);
  } catch (error) {
    return exitWithUsage({ usage: WORKER_USAGE }, error);
  }
  if (!hasRedisTarget(config)) {
    console.error(
      "Neither REDIS_URL nor REDIS_CLUSTER_NODES is set: the worker needs a Redis over TCP (bun run dev starts one for you).",
    );
    process.exit(1);
  }
  const redis = await connectRedis(config, { onStateChange: logRedisState(logger) });
  const database = await openConfiguredDatabaseOrExit(config);
  const running = await startPosRuntime({
    config: { ...config, QUEUE_SHARDS: flags.shards },
    db: database.db,
    redis,
    logger,
    worker: { queues: flags.queues, concurrency: flags.concurrency, mode: flags.mode },
  });
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
