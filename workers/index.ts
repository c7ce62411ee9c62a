import { parseArgs } from "node:util";
import type { Config } from "../src/config";
import type { WorkerMode } from "../src/queue/worker-options";
import { serveWorkerMetrics } from "./metrics-server";
import { startPosRuntime } from "./pos-runtime";

export const WORKER_USAGE = `bun run worker [--queue=high,default,low] [--concurrency=10] [--shards=N] [--mode=strict|weighted]
       [--metrics-port=N] [--balance=auto|off --min-processes=1 --max-processes=N --cooldown=5 --max-shift=1 --jobs-per-process=500]

  Runs the app's queue workers (the POS sync jobs) until SIGTERM / Ctrl-C, then drains.
  --queue        queues to serve, in priority order
  --concurrency  handlers running at once
  --shards       must match QUEUE_SHARDS of the producers (default: QUEUE_SHARDS)
  --mode         strict: a queue only when the ones before it are empty; weighted: mixed 6/3/1
  --metrics-port serve /metrics (bearer METRICS_TOKEN) on this port; 0 picks a free one
  --balance      run a supervisor of worker processes: auto sizes the pool from wait time and
                 depth between --min-processes and --max-processes; off keeps --min-processes
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
      balance: { type: "string" },
      "min-processes": { type: "string", default: "1" },
      "max-processes": { type: "string" },
      cooldown: { type: "string", default: "5" },
      "max-shift": { type: "string", default: "1" },
      "jobs-per-process": { type: "string", default: "500" },
      supervisor: { type: "string" },
      "metrics-port": { type: "string" },
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
  const metricsPort = values["metrics-port"] === undefined ? undefined : Number(values["metrics-port"]);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
    throw new Error("--metrics-port must be a port number (0 picks a free one)");
  }
  return {
    queues,
    concurrency,
    shards,
    mode: values.mode as WorkerMode,
    metricsPort,
    supervisor: values.supervisor,
    pool: parsePoolFlags(values),
  };
}

/** `--balance auto|off` with `--min-processes`/`--max-processes`: run a supervisor of worker processes. */
function parsePoolFlags(values: Record<string, string | boolean | undefined>) {
  const wantsPool = values.balance !== undefined || values["max-processes"] !== undefined;
  if (!wantsPool) return null;
  const balance = values.balance ?? "auto";
  if (balance !== "auto" && balance !== "off") throw new Error("--balance must be auto or off");
  const positive = (name: string) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const minProcesses = positive("min-processes");
  const maxProcesses = values["max-processes"] === undefined ? minProcesses : positive("max-processes");
  if (maxProcesses < minProcesses) throw new Error("--max-processes must be at least --min-processes");
  const cooldown = Number(values.cooldown);
  if (!(cooldown >= 0)) throw new Error("--cooldown must be a number of seconds >= 0");
  return {
    balance: balance as "auto" | "off",
    minProcesses,
    maxProcesses,
    cooldownMs: Math.round(cooldown * 1000),
    maxShift: positive("max-shift"),
    jobsPerProcess: positive("jobs-per-process"),
  };
}

/** Worker flags again, for the processes a supervisor starts. */
function childCommand(flags: ReturnType<typeof parseWorkerFlags>, supervisorId: string): string[] {
  return [
    process.execPath,
    import.meta.path,
    `--queue=${flags.queues.join(",")}`,
    `--concurrency=${flags.concurrency}`,
    `--shards=${flags.shards}`,
    `--mode=${flags.mode}`,
    `--supervisor=${supervisorId}`,
  ];
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
  if (flags.metricsPort !== undefined && !config.METRICS_TOKEN) {
    console.error(
      "--metrics-port needs METRICS_TOKEN: the worker's /metrics wants the same bearer token as the API's.",
    );
    process.exit(2);
  }
  if (!hasRedisTarget(config)) {
    console.error(
      "Neither REDIS_URL nor REDIS_CLUSTER_NODES is set: the worker needs a Redis over TCP (bun run dev starts one for you).",
    );
    process.exit(1);
  }
  const redis = await connectRedis(config, { onStateChange: logRedisState(logger) });
  if (flags.pool) {
    await superviseProcesses(flags, flags.pool, config.REDIS_PREFIX, redis, logger);
    return;
  }
  const database = await openConfiguredDatabaseOrExit(config);
  const running = await startPosRuntime({
    config: { ...config, QUEUE_SHARDS: flags.shards },
    db: database.db,
    redis,
    logger,
    worker: { queues: flags.queues, concurrency: flags.concurrency, mode: flags.mode, supervisor: flags.supervisor },
  });
  const metricsServer =
    flags.metricsPort === undefined || !config.METRICS_TOKEN
      ? null
      : serveWorkerMetrics({ port: flags.metricsPort, token: config.METRICS_TOKEN, render: running.metricsText });
  if (metricsServer) logger.info(`metrics on ${metricsServer.url}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal while draining is ignored; the drain timeout bounds the wait.
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining`);
    await metricsServer?.stop();
    await running.stop();
    await database.close();
    redis.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** The supervisor's process: no jobs, no database; it sizes and watches its worker processes. */
async function superviseProcesses(
  flags: ReturnType<typeof parseWorkerFlags>,
  pool: NonNullable<ReturnType<typeof parsePoolFlags>>,
  prefix: string,
  redis: import("../src/redis/types").RedisConnection,
  logger: import("../src/logger").Logger,
): Promise<void> {
  const { Supervisor } = await import("../src/queue/supervisor");
  const supervisor = new Supervisor({
    redis,
    prefix,
    shards: flags.shards,
    queues: flags.queues,
    concurrency: flags.concurrency,
    ...pool,
    command: (id) => childCommand(flags, id),
    logger: logger.child({ component: "supervisor" }),
  });
  await supervisor.start();
  logger.info(
    `supervisor ${supervisor.id} started: balance=${pool.balance} processes=${pool.minProcesses}..${pool.maxProcesses}`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal while the processes drain is ignored.
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining worker processes`);
    await supervisor.stop();
    redis.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) await main();
