import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { count, eq } from "drizzle-orm";
import { openConfiguredDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { posConnections, users } from "../db/schema";
import { seedDatabase } from "../db/seed";
import { DEMO_USERS } from "../db/seed/demo-identities";
import { issueToken } from "../src/auth/tokens";
import { loadConfig, loadConfigOrExit } from "../src/config";
import { createLogger, logRedisState } from "../src/logger";
import { startPosSimulator } from "../src/pos/simulator/pos-simulator";
import { simulatorSeedFromDatabase } from "../src/pos/simulator/seed-from-database";
import type { PosType } from "../src/pos/types";
import { connectRedis, hasRedisTarget } from "../src/redis/connect";
import { type LocalRedis, startLocalRedis } from "../src/redis/local-server";
import { startServer } from "../src/server";
import { startPosRuntime } from "../workers/pos-runtime";
import { buildDashboard } from "./build-dashboard";

/**
 * `bun run dev`: the whole system on embedded defaults — a private Redis
 * (unless REDIS_URL or REDIS_CLUSTER_NODES is set), file-backed PGlite under .data/ (unless
 * DATABASE_URL is set), migrations, demo data, the POS simulator the demo
 * POS connections point at, one queue worker, and the API. The worker runs
 * in this process because a file-backed PGlite has one owner.
 */
export const DEV_PID_FILE = ".data/dev.pid";
export const DEMO_TOKENS_FILE = ".data/demo-tokens.json";

type Stoppable = { name: string; stop(): Promise<void> | void };
const running: Stoppable[] = [];

function say(message: string) {
  console.log(`[dev] ${message}`);
}

async function main() {
  let config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);

  if (!hasRedisTarget(config)) {
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
  const redis = await connectRedis(config, { onStateChange: logRedisState(logger) });
  running.push({ name: "redis connection", stop: () => redis.close() });

  if (!config.DATABASE_URL) mkdirSync(config.PGLITE_DIR, { recursive: true });
  const database = await openConfiguredDatabase(config);
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

  const sim = await startPosSimulator({ port: config.DEV_POS_SIM_PORT });
  running.push({ name: "POS simulator", stop: () => sim.stop() });
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

  const pos = await startPosRuntime({ config, db: database.db, redis, logger });
  running.push({ name: "worker", stop: () => pos.stop() });
  say(`worker ${pos.worker.id} consuming high, default, low`);

  await buildDashboard();
  say("dashboard script built");
  const server = await startServer({ config, redis, db: database.db, logger });
  running.push({ name: "api", stop: () => server.stop() });
  say(`API on ${server.url}  ·  docs ${server.url}/docs`);

  // The embedded database has one owner (this process), so `bun run token` cannot open it now:
  // hand out the demo users' tokens here instead.
  const tokens: Record<string, string> = {};
  for (const email of Object.values(DEMO_USERS)) {
    const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
    if (user) tokens[email] = await issueToken(config.JWT_SECRET, user.id);
  }
  mkdirSync(".data", { recursive: true });
  writeFileSync(DEMO_TOKENS_FILE, `${JSON.stringify(tokens, null, 2)}\n`);
  writeFileSync(DEV_PID_FILE, String(process.pid));
  running.push({ name: "pid file", stop: () => rmSync(DEV_PID_FILE, { force: true }) });
  say(`demo tokens in ${DEMO_TOKENS_FILE}, e.g.`);
  say(`  curl -H "authorization: Bearer $(jq -r '.["owner@demo.test"]' ${DEMO_TOKENS_FILE})" ${server.url}/v1/me`);
}

let stopping = false;
async function shutdown() {
  // A second Ctrl-C while stopping changes nothing; the parts are already being released.
  if (stopping) return;
  stopping = true;
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

if (import.meta.main) {
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  await main();
}
