import { type Database, openConfiguredDatabaseOrExit } from "../db/client";
import { createServedApp } from "./app";
import { type Config, loadConfigOrExit } from "./config";
import { createLogger, type Logger, logRedisState } from "./logger";
import { connectRedis, hasRedisTarget } from "./redis/connect";
import type { RedisConnection } from "./redis/types";
import { parseCommandLine } from "./runtime/command-line";

/** The host part of a URL that reaches the server: a wildcard address is reached on loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export type RunningServer = { url: string; stop(): Promise<void> };

/** Starts the HTTP API on Bun. Used by `bun run start` and by the dev command. */
export async function startServer(options: {
  config: Config;
  redis: RedisConnection;
  db: Database;
  logger: Logger;
}): Promise<RunningServer> {
  const { fetch } = createServedApp(options);
  const server = Bun.serve({ port: options.config.PORT, hostname: options.config.HOST, fetch });
  return {
    url: `http://${urlHost(options.config.HOST)}:${server.port}`,
    async stop() {
      await server.stop();
    },
  };
}

async function main() {
  parseCommandLine({
    usage: `bun run start

  The API alone on PORT (needs REDIS_URL or REDIS_CLUSTER_NODES; DATABASE_URL or the embedded
  PGlite in PGLITE_DIR). Every setting comes from the environment: see README "Configuration".`,
  });
  const config = loadConfigOrExit({}, { target: "api" });
  const logger = createLogger(config.LOG_LEVEL);
  if (!hasRedisTarget(config)) {
    console.error(
      "REDIS_URL or REDIS_CLUSTER_NODES is required for `bun run start` (the dev command, `bun run dev`, starts a private Redis).",
    );
    process.exit(1);
  }
  const redis = await connectRedis(config, { onStateChange: logRedisState(logger) });
  const database = await openConfiguredDatabaseOrExit(config);
  const server = await startServer({ config, redis, db: database.db, logger });
  logger.info("api listening", { url: server.url, database: database.kind });
  const shutdown = async () => {
    await server.stop();
    await database.close();
    redis.close();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

if (import.meta.main) await main();
