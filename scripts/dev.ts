import { mkdirSync } from "node:fs";
import { count } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { users } from "../db/schema";
import { seedDatabase } from "../db/seed";
import { ConfigError, loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { type LocalRedis, startLocalRedis } from "../src/redis/local-server";
import { connectTcpRedis } from "../src/redis/tcp";
import { startServer } from "../src/server";

/**
 * `bun run dev`: the whole system on embedded defaults — a private Redis
 * (unless REDIS_URL is set), file-backed PGlite under .data/ (unless
 * DATABASE_URL is set), migrations, demo data, and the API.
 */
type Stoppable = { name: string; stop(): Promise<void> | void };
const running: Stoppable[] = [];

function say(message: string) {
  console.log(`[dev] ${message}`);
}

async function main() {
  let config = (() => {
    try {
      return loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        process.exit(1);
      }
      throw error;
    }
  })();
  const logger = createLogger(config.LOG_LEVEL);

  if (!config.REDIS_URL) {
    mkdirSync(".data/redis", { recursive: true });
    let local: LocalRedis;
    try {
      local = await startLocalRedis({ dataDir: ".data/redis" });
    } catch (error) {
      console.error((error as Error).message);
      process.exit(1);
    }
    running.push({ name: "redis", stop: () => local.stop() });
    config = loadConfig({ REDIS_URL: local.url });
    say(`started a private redis-server at ${local.url} (data in .data/redis)`);
  }
  const redis = await connectTcpRedis(config.REDIS_URL!);
  running.push({ name: "redis connection", stop: () => redis.close() });

  if (!config.DATABASE_URL) mkdirSync(config.PGLITE_DIR, { recursive: true });
  const database = await openDatabase({
    url: config.DATABASE_URL,
    wsProxy: config.DATABASE_WS_PROXY,
    pgliteDir: config.DATABASE_URL ? undefined : config.PGLITE_DIR,
  });
  running.push({ name: "database", stop: () => database.close() });
  say(
    `database: ${database.kind === "pglite" ? `embedded PGlite in ${config.PGLITE_DIR}` : "PostgreSQL (Neon driver)"}`,
  );
  await runMigrations(database);
  say("migrations applied");

  const [existing] = await database.db.select({ n: count() }).from(users);
  if ((existing?.n ?? 0) === 0) {
    say("seeding demo data (first start only)…");
    await seedDatabase(database.db, { onProgress: (m) => say(`  ${m}`) });
  } else {
    say("demo data already present");
  }

  const server = await startServer({ config, redis, db: database.db, logger });
  running.push({ name: "api", stop: () => server.stop() });
  say(`API on ${server.url}  ·  docs ${server.url}/docs  ·  token: bun run token --email owner@demo.test`);
}

async function shutdown() {
  say("stopping…");
  // Released in the reverse order they were acquired.
  for (const part of running.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      console.error(`[dev] stopping ${part.name} failed: ${(error as Error).message}`);
    }
  }
  process.exit(0);
}

process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
await main();
