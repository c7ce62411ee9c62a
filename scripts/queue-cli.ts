import { existsSync, readFileSync } from "node:fs";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { openConfiguredDatabase } from "../db/client";
import { loadConfig } from "../src/config";
import { AppError } from "../src/kernel/app-error";
import { createLogger } from "../src/logger";
import { connectRedis, hasRedisTarget } from "../src/redis/connect";
import { type AppServices, createAppServices } from "../src/services/app-services";
import type { FailedQuery } from "../src/services/monitoring/failed-job-admin";
import type { MonitoringScope } from "../src/services/monitoring/monitoring-scope";
import { DEV_PID_FILE } from "./dev-system";

/**
 * The ops commands (`bun run queue:status`, `queue:failed`, `queue:retry`, `queue:clear-failed`):
 * thin wrappers over the monitoring service the API uses. A terminal with the Redis and database
 * credentials is an admin, so they act on every restaurant unless `--restaurant` narrows them.
 */
export type CliIo = { out(line: string): void; err(line: string): void };

export const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export type QueueCommand = {
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Positional arguments it takes (exactly this many). */
  positionals: number;
  run(services: AppServices, args: { values: Values; positionals: string[] }, io: CliIo): Promise<void>;
};

/** Thrown for a bad command line; the runner prints it with the usage and exits 2. */
export class UsageError extends Error {}

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
  const config = loadConfig();
  if (!hasRedisTarget(config)) {
    throw new UsageError("REDIS_URL or REDIS_CLUSTER_NODES must point at the queue's Redis");
  }
  if (!config.DATABASE_URL && existsSync(DEV_PID_FILE) && isRunning(Number(readFileSync(DEV_PID_FILE, "utf8")))) {
    throw new UsageError("bun run dev owns the embedded database; stop it or set DATABASE_URL");
  }
  const redis = await connectRedis(config);
  const database = await openConfiguredDatabase(config);
  const services = createAppServices({ config, db: database.db, redis, logger: createLogger("silent") });
  return {
    services,
    async close() {
      await database.close();
      redis.close();
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
  let args: { values: Values; positionals: string[] };
  try {
    args = parseArgs({ args: [...argv], options: command.options, allowPositionals: true, strict: true });
    if (args.positionals.length !== command.positionals) throw new UsageError("wrong number of arguments");
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: ${command.usage}`);
    return 2;
  }
  let opened: Awaited<ReturnType<typeof open>> | undefined;
  try {
    opened = await open();
    await command.run(opened.services, args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nusage: ${command.usage}`);
      return 2;
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
