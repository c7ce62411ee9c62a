import { mkdirSync, writeFileSync } from "node:fs";
import { count, eq } from "drizzle-orm";
import { type DatabaseHandle, openConfiguredDatabaseOrExit } from "../db/client";
import { runMigrations } from "../db/migrate";
import { posConnections, users } from "../db/schema";
import { seedDatabase } from "../db/seed";
import { DEMO_USERS } from "../db/seed/demo-identities";
import { issueToken } from "../src/auth/tokens";
import { type Config, loadConfig, loadConfigOrExit } from "../src/config";
import { createLogger, type Logger, logRedisState } from "../src/logger";
import { startPosSimulator } from "../src/pos/simulator/pos-simulator";
import { simulatorSeedFromDatabase } from "../src/pos/simulator/seed-from-database";
import type { PosType } from "../src/pos/types";
import { connectRedis, hasRedisTarget } from "../src/redis/connect";
import { type LocalRedis, startLocalRedis } from "../src/redis/local-server";
import type { RedisConnection } from "../src/redis/types";
import { startPosRuntime } from "../workers/pos-runtime";
import { buildDashboard } from "./build-dashboard";
import { writeDevState } from "./dev-state";

/**
 * The parts `bun run dev` and `bun run dev:edge` share: a private Redis (unless REDIS_URL or
 * REDIS_CLUSTER_NODES is set), file-backed PGlite under .data/ (unless DATABASE_URL is set), migrations, demo data, the
 * POS simulator the demo POS connections point at (and the payment provider, unless SQUARE_PAYMENTS_*
 * is set), one queue worker and the dashboard script. A file-backed PGlite has one owner, this
 * process: it serves the database to the commands run next to it (the ops CLI, `bun run token`,
 * more workers), and records where in .data/.
 */
export const DEMO_TOKENS_FILE = ".data/demo-tokens.json";

/** The simulator's Square Payments merchant the dev command charges cards through. */
export const DEV_PAYMENTS_ACCESS_TOKEN = "dev-payments-merchant";
export const DEV_PAYMENTS_LOCATION_ID = "DEVPAYMENTSLOCATION";

type Stoppable = { name: string; stop(): Promise<void> | void };

export type DevSystem = {
  config: Config;
  logger: Logger;
  redis: RedisConnection;
  database: DatabaseHandle;
  say(message: string): void;
  /** Adds a part to stop on shutdown (in the reverse order the parts were added). */
  running(name: string, stop: () => Promise<void> | void): void;
  /** Writes the demo users' tokens and the pid file, and prints how to use them against `api`. */
  announce(api: string): Promise<void>;
};

const parts: Stoppable[] = [];

export function say(message: string) {
  console.log(`[dev] ${message}`);
}

export async function startDevSystem(): Promise<DevSystem> {
  // The dev command is development unless told otherwise: the public dev secret then works on loopback.
  const configOptions = { target: "api", defaults: { NODE_ENV: "development" } } as const;
  let config = loadConfigOrExit({}, configOptions);
  const overrides: Record<string, string> = {};
  let privateRedis: string | undefined;
  const logger = createLogger(config.LOG_LEVEL);
  const running = (name: string, stop: () => Promise<void> | void) => parts.push({ name, stop });

  if (!hasRedisTarget(config)) {
    mkdirSync(".data/redis", { recursive: true });
    let local: LocalRedis;
    try {
      local = await startLocalRedis({ dataDir: ".data/redis" });
    } catch (error) {
      console.error((error as Error).message);
      process.exit(1);
    }
    running("redis", () => local.stop());
    overrides.REDIS_URL = local.url;
    config = loadConfig(overrides, configOptions);
    privateRedis = local.url;
    say(`started a private redis-server at ${local.url} (data in .data/redis)`);
  }
  const redis = await connectRedis(config, { onStateChange: logRedisState(logger) });
  running("redis connection", () => redis.close());

  if (!config.DATABASE_URL) mkdirSync(config.PGLITE_DIR, { recursive: true });
  const database = await openConfiguredDatabaseOrExit(config, { mustOwn: true });
  running("database", () => database.close());
  if (database.serve) {
    const address = await database.serve();
    say(`embedded PGlite in ${config.PGLITE_DIR}, served to local commands on ${address}`);
  } else {
    say("database: PostgreSQL (Neon driver)");
  }
  await runMigrations(database);
  say("migrations applied");

  const [existing] = await database.db.select({ n: count() }).from(users);
  if ((existing?.n ?? 0) === 0) {
    say("seeding demo data (first start only)…");
    await seedDatabase(database.db, { onProgress: (m) => say(`  ${m}`) });
  } else {
    say("demo data already present");
  }

  const sim = await startPosSimulator({ port: config.DEV_POS_SIM_PORT });
  running("POS simulator", () => sim.stop());
  for (const posType of ["square", "toast", "local"] as PosType[]) {
    await database.db
      .update(posConnections)
      .set({ baseUrl: sim.baseUrl(posType) })
      .where(eq(posConnections.posType, posType));
  }
  for (const seed of await simulatorSeedFromDatabase(database.db)) sim.control.seed(seed);
  say(
    `POS simulator on ${sim.url} (Square ${sim.baseUrl("square")}, Toast ${sim.baseUrl("toast")}, local ${sim.baseUrl("local")})`,
  );
  if (!config.SQUARE_PAYMENTS_BASE_URL) {
    // Card payments go through the simulator's Square Payments (Sandbox tokens such as cnon:card-nonce-ok).
    Object.assign(overrides, {
      SQUARE_PAYMENTS_BASE_URL: sim.baseUrl("square"),
      SQUARE_PAYMENTS_ACCESS_TOKEN: DEV_PAYMENTS_ACCESS_TOKEN,
      SQUARE_PAYMENTS_LOCATION_ID: DEV_PAYMENTS_LOCATION_ID,
    });
    config = loadConfig(overrides, configOptions);
  }
  say(`payment provider: Square Payments at ${config.SQUARE_PAYMENTS_BASE_URL}`);

  const pos = await startPosRuntime({ config, db: database.db, redis, logger });
  running("worker", () => pos.stop());
  say(`worker ${pos.worker.id} consuming high, default, low`);

  await buildDashboard();
  say("dashboard script built");

  async function announce(api: string) {
    // The demo users' tokens, ready to paste (`bun run token` prints more).
    const tokens: Record<string, string> = {};
    for (const email of Object.values(DEMO_USERS)) {
      const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
      if (user) tokens[email] = await issueToken(config, user.id);
    }
    mkdirSync(".data", { recursive: true });
    writeFileSync(DEMO_TOKENS_FILE, `${JSON.stringify(tokens, null, 2)}\n`);
    running("dev state file", writeDevState({ pid: process.pid, api, redisUrl: privateRedis }));
    say(`dashboard ${api}/dashboard  ·  docs ${api}/docs`);
    say(
      config.METRICS_TOKEN
        ? `metrics ${api}/metrics (bearer METRICS_TOKEN)`
        : `metrics ${api}/metrics once METRICS_TOKEN is set (Prometheus text; off without it)`,
    );
    say(`demo tokens in ${DEMO_TOKENS_FILE}, e.g.`);
    say(`  curl -H "authorization: Bearer $(jq -r '.["owner@demo.test"]' ${DEMO_TOKENS_FILE})" ${api}/v1/me`);
  }

  return { config, logger, redis, database, say, running, announce };
}

let stopping = false;
async function shutdown() {
  // A second Ctrl-C while stopping changes nothing; the parts are already being released.
  if (stopping) return;
  stopping = true;
  say("stopping…");
  // Released in the reverse order they were acquired.
  for (const part of parts.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      console.error(`[dev] stopping ${part.name} failed: ${(error as Error).message}`);
    }
  }
  process.exit(0);
}

/** Stops every part on Ctrl-C or SIGTERM, then exits 0. */
export function stopOnSignals(): void {
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
