import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { openConfiguredDatabase } from "../db/client";
import { PgliteInUseError } from "../db/pglite-owner";
import { AppError } from "../src/kernel/app-error";
import { createLogger } from "../src/logger";
import { connectRedis, hasRedisTarget } from "../src/redis/connect";
import { UsageError } from "../src/runtime/command-line";
import { type AppServices, createAppServices } from "../src/services/app-services";
import type { FailedQuery } from "../src/services/monitoring/failed-job-admin";
import type { MonitoringScope } from "../src/services/monitoring/monitoring-scope";
import { configNextToDev } from "./dev-state";

/**
 * The ops commands (`bun run queue:status`, `queue:failed`, `queue:retry`, `queue:clear-failed`,
 * `queue:pause`, `queue:resume`, `queue:workers`): thin wrappers over the monitoring service the
 * API uses. A terminal with the Redis and database credentials is an admin, so they act on every
 * restaurant unless `--restaurant` narrows them. Next to a running `bun run dev` they use its
 * Redis and the database it serves.
 */
export type CliIo = { out(line: string): void; err(line: string): void };

export const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export type QueueCommand = {
  /** First line: how to call it; then what it does. */
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Positional arguments it takes (exactly this many). */
  positionals: number;
  run(services: AppServices, args: { values: Values; positionals: string[] }, io: CliIo): Promise<void>;
};

export const filterOptions = {
  queue: { type: "string" },
  job: { type: "string" },
  restaurant: { type: "string" },
} satisfies ParseArgsOptionsConfig;

export const ALL: MonitoringScope = { kind: "all" };

/** `--queue`, `--job`, `--restaurant` as a failed-job filter and scope. */
export function filterFrom(values: Values): { scope: MonitoringScope; query: FailedQuery } {
  const query: FailedQuery = {};
  if (typeof values.queue === "string") query.queue = values.queue;
  if (typeof values.job === "string") query.name = values.job;
  if (values.restaurant === undefined) return { scope: ALL, query };
  const id = Number(values.restaurant);
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError("--restaurant must be a restaurant id (a positive integer)");
  return { scope: { kind: "restaurants", restaurantIds: [id] }, query };
}

export function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

/** Opens what the services need from the environment, as the server does. */
export async function openCliServices(): Promise<{ services: AppServices; close(): Promise<void> }> {
  const config = configNextToDev();
  if (!hasRedisTarget(config)) {
    throw new UsageError("REDIS_URL or REDIS_CLUSTER_NODES must point at the queue's Redis (or run `bun run dev`)");
  }
  const redis = await connectRedis(config);
  let database: Awaited<ReturnType<typeof openConfiguredDatabase>>;
  try {
    database = await openConfiguredDatabase(config);
  } catch (error) {
    redis.close();
    throw error;
  }
  const services = createAppServices({ config, db: database.db, redis, logger: createLogger("silent") });
  return {
    services,
    async close() {
      await database.close();
      redis.close();
    },
  };
}

/**
 * Parses the command line, then runs the command. Returns the exit code: 0 done, 1 failed
 * (e.g. no such job), 2 usage error — printed with the usage, before anything is opened.
 */
export async function runQueueCommand(
  command: QueueCommand,
  argv: readonly string[],
  io: CliIo = consoleIo,
  open: () => Promise<{ services: AppServices; close(): Promise<void> }> = openCliServices,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  let args: { values: Values; positionals: string[] };
  try {
    args = parseArgs({ args: [...argv], options: command.options, allowPositionals: true, strict: true });
    if (args.positionals.length !== command.positionals) throw new UsageError("wrong number of arguments");
  } catch (error) {
    io.err(`${(error as Error).message}\n\nusage: ${command.usage}`);
    return 2;
  }
  let opened: Awaited<ReturnType<typeof open>> | undefined;
  try {
    opened = await open();
    await command.run(opened.services, args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\nusage: ${command.usage}`);
      return 2;
    }
    if (error instanceof PgliteInUseError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof AppError) {
      io.err(`${error.code}: ${error.message}`);
      return error.status === 400 ? 2 : 1;
    }
    throw error;
  } finally {
    await opened?.close();
  }
}

/** Left-aligned columns, for terminal tables. */
export function columns(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string[] {
  const text = rows.map((r) => r.map((c) => (c === null ? "-" : String(c))));
  const widths = text[0]?.map((_, i) => Math.max(...text.map((r) => r[i]?.length ?? 0))) ?? [];
  return text.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}
