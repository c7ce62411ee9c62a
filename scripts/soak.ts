import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { eq, inArray } from "drizzle-orm";
import { percentile } from "../bench/support/load";
import { openDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { menuItems, orders, posConnections, restaurants } from "../db/schema";
import { seedDatabase } from "../db/seed";
import { DEMO_USERS } from "../db/seed/demo-identities";
import { createServedApp } from "../src/app";
import { issueToken } from "../src/auth/tokens";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { orderIdempotencyKey, orderReference } from "../src/pos/idempotency";
import { startPosSimulator } from "../src/pos/simulator/pos-simulator";
import { simulatorSeedFromDatabase } from "../src/pos/simulator/seed-from-database";
import { toastExternalId } from "../src/pos/toast/toast-adapter";
import type { PosType } from "../src/pos/types";
import { FailedJobs } from "../src/queue/failed-jobs";
import { connectRedis, hasRedisTarget } from "../src/redis/connect";
import { startLocalRedis } from "../src/redis/local-server";
import { parseCommandLine } from "../src/runtime/command-line";
import { PostgresFailedJobStore } from "../src/services/monitoring/failed-job-store";
import { startPosRuntime } from "../workers/pos-runtime";

/**
 * `bun run soak`: drives N orders through the API, two workers and the POS
 * simulator with faults on, and reports how many reached the POS, how many
 * twice (duplicates), how many never (lost), retries, and order→POS time.
 * Job time is compressed (`--time-scale`), so a 60 s backoff takes 0.6 s.
 */
const { values: flags } = parseCommandLine({
  usage: `bun run soak [--orders 500] [--concurrency 16] [--workers 2] [--error-rate 0.2]
                    [--fail-after-commit 0.1] [--time-scale 0.01] [--timeout-s 180]

  Drives orders through the API, worker processes and a faulty POS simulator, and reports how
  many reached the POS once, twice (duplicates) or never (lost).`,
  options: {
    orders: { type: "string", default: "500" },
    concurrency: { type: "string", default: "16" },
    workers: { type: "string", default: "2" },
    "error-rate": { type: "string", default: "0.2" },
    "fail-after-commit": { type: "string", default: "0.1" },
    "time-scale": { type: "string", default: "0.01" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const N = Number(flags.orders);
const errorRate = Number(flags["error-rate"]);
const failAfterCommitRate = Number(flags["fail-after-commit"]);
const timeScale = Number(flags["time-scale"]);

const say = (m: string) => console.log(`[soak] ${m}`);
const base = loadConfig({ LOG_LEVEL: "silent", REDIS_PREFIX: `soak${process.pid}` });
const localRedis = hasRedisTarget(base) ? null : await startLocalRedis();
const config = loadConfig({
  LOG_LEVEL: "silent",
  // Its own HS256 secret, and no per-customer limits: one customer places every order of the run.
  JWT_SECRET: `soak-${crypto.randomUUID()}-${crypto.randomUUID()}`,
  RATE_LIMIT_ORDERS: "off",
  RATE_LIMIT_PAYMENTS: "off",
  REDIS_PREFIX: `soak${process.pid}`,
  REDIS_URL: base.REDIS_URL ?? localRedis?.url,
});
const redis = await connectRedis(config);
say("seeding an in-memory database…");
const database = await openDatabase({});
await runMigrations(database);
await seedDatabase(database.db);
const db = database.db;

const sim = await startPosSimulator({
  randomSeed: 7,
  faults: {
    square: { errorRate, failAfterCommitRate, latencyMs: 3, rateLimit: { remaining: 20, retryAfterSeconds: 1 } },
    toast: { errorRate, failAfterCommitRate, latencyMs: 3 },
    local: { errorRate, failAfterCommitRate, latencyMs: 3 },
  },
});
for (const posType of ["square", "toast", "local"] as PosType[]) {
  await db
    .update(posConnections)
    .set({ baseUrl: sim.baseUrl(posType) })
    .where(eq(posConnections.posType, posType));
}
for (const seed of await simulatorSeedFromDatabase(db)) sim.control.seed(seed);

const logger = createLogger("silent");
const served = createServedApp({ config, db, redis, logger });
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: served.fetch });
const api = `http://127.0.0.1:${server.port}`;
const runtimes = [];
for (let i = 0; i < Number(flags.workers); i++) {
  runtimes.push(
    await startPosRuntime({
      config,
      db,
      redis,
      logger,
      timeScale,
      breaker: { cooldownMs: 30_000 * timeScale, probeTimeoutMs: 120_000 * timeScale },
      worker: { concurrency: 16, blockMs: 200, promoteIntervalMs: 100, stallGraceMs: 1_000, stallCheckIntervalMs: 500 },
      scheduler: { tickMs: 500, inventoryEveryMs: 0, menuEveryMs: 0 },
    }),
  );
}

const customer = await db.query.users.findFirst({
  columns: { id: true },
  where: (u, { eq: e }) => e(u.email, DEMO_USERS.customer),
});
const token = await issueToken(config, customer!.id);
const active = await db.query.restaurants.findMany({
  columns: { id: true },
  where: inArray(restaurants.id, [1, 2, 3]),
  with: { branches: { columns: { id: true } } },
});
const itemsByRestaurant = new Map<number, number[]>();
for (const r of active) {
  const rows = await db.query.menuItems.findMany({
    columns: { id: true, branchId: true, available: true, priceCents: true },
    where: eq(menuItems.restaurantId, r.id),
  });
  // Items of at least the minimum order on their own, so every order is accepted.
  itemsByRestaurant.set(
    r.id,
    rows.filter((i) => i.available && i.branchId === null && i.priceCents >= 500).map((i) => i.id),
  );
}

say(
  `placing ${N} orders (faults: ${errorRate * 100}% errors, ${failAfterCommitRate * 100}% lost answers, 429 bursts)…`,
);
const started = performance.now();
const ids: number[] = [];
let next = 0;
async function placeOrders(): Promise<void> {
  while (next < N) {
    const n = next++;
    const restaurant = active[n % active.length]!;
    const items = itemsByRestaurant.get(restaurant.id)!;
    const res = await fetch(`${api}/v1/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": `soak-${process.pid}-${n}`,
      },
      body: JSON.stringify({
        restaurantId: restaurant.id,
        branchId: restaurant.branches[0]!.id,
        type: "pickup",
        items: [{ menuItemId: items[n % items.length]!, quantity: 1 + (n % 3) }],
      }),
    });
    if (res.status !== 201) throw new Error(`order ${n} refused: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: number }).id);
  }
}
await Promise.all(Array.from({ length: Number(flags.concurrency) }, placeOrders));
say(`placed ${ids.length} orders in ${Math.round(performance.now() - started)} ms`);

const failed = new FailedJobs(runtimes[0]!.queue, new PostgresFailedJobStore(db));
const deadline = Date.now() + Number(flags["timeout-s"]) * 1000;
let operatorRetries = 0;
let synced = 0;
while (Date.now() < deadline) {
  const rows = await db.select({ state: orders.posSyncState }).from(orders).where(inArray(orders.id, ids));
  synced = rows.filter((r) => r.state === "synced").length;
  const retried = runtimes.reduce((sum, r) => sum + r.worker.info().retried, 0);
  say(`synced ${synced}/${ids.length} · retries ${retried} · failed jobs retried by the operator ${operatorRetries}`);
  if (synced === ids.length) break;
  // Jobs that used up their tries are retried from failed, as an operator would.
  const page = await failed.store.list({}, { limit: 500, offset: 0 });
  if (page.jobs.length > 0) operatorRetries += (await failed.retry(page.jobs.map((j) => j.jobId))).length;
  await Bun.sleep(1_000);
}

const rows = await db
  .select({ id: orders.id, createdAt: orders.createdAt, syncedAt: orders.posSyncedAt, state: orders.posSyncState })
  .from(orders)
  .where(inArray(orders.id, ids));
const latencies = rows
  .filter((r) => r.syncedAt)
  .map((r) => r.syncedAt!.getTime() - r.createdAt.getTime())
  .sort((a, b) => a - b);
const onPos = new Map<string, number>();
for (const vendor of ["square", "toast", "local"] as PosType[]) {
  for (const o of sim.control.orders(vendor))
    if (o.reference) onPos.set(o.reference, (onPos.get(o.reference) ?? 0) + 1);
}
// Square and local carry our reference; Toast carries its external id built from our idempotency key.
const copiesOnPos = (id: number) =>
  (onPos.get(orderReference(id)) ?? 0) + (onPos.get(toastExternalId(orderIdempotencyKey(id))) ?? 0);
const duplicates = ids.reduce((sum, id) => sum + Math.max(0, copiesOnPos(id) - 1), 0);
const lost = ids.filter((id) => copiesOnPos(id) === 0).length;
const result = {
  orders: ids.length,
  synced: rows.filter((r) => r.state === "synced").length,
  duplicates,
  lost,
  retries: runtimes.reduce((sum, r) => sum + r.worker.info().retried, 0),
  operator_retries: operatorRetries,
  p50_ms: latencies.length === 0 ? 0 : percentile(latencies, 0.5),
  p95_ms: latencies.length === 0 ? 0 : percentile(latencies, 0.95),
  time_scale: timeScale,
  faults: { error_rate: errorRate, fail_after_commit_rate: failAfterCommitRate, rate_limit_burst: 20 },
  machine: { cpus: cpus().length, bun: Bun.version, platform: process.platform },
  at: new Date().toISOString(),
};
console.table([result].map(({ faults: _f, machine: _m, ...row }) => row));
say(`success rate ${((100 * result.synced) / result.orders).toFixed(2)} % · duplicates ${duplicates} · lost ${lost}`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/soak-latest.json", `${JSON.stringify(result, null, 2)}\n`);
say("wrote bench/results/soak-latest.json");

for (const runtime of runtimes.reverse()) await runtime.stop();
await server.stop(true);
await sim.stop();
await database.close();
redis.close();
await localRedis?.stop();
process.exit(result.synced === result.orders && duplicates === 0 && lost === 0 ? 0 : 1);
