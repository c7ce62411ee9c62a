import { afterAll, beforeAll, expect, it } from "bun:test";
import type { Subprocess } from "bun";
import { eq } from "drizzle-orm";
import { orders } from "../../db/schema";
import { orderReference } from "../../src/pos/idempotency";
import { FailedJobs } from "../../src/queue/failed-jobs";
import { Queue } from "../../src/queue/queue";
import { PostgresFailedJobStore } from "../../src/services/monitoring/failed-job-store";
import { type SharedDatabase, shareDatabase } from "../support/shared-database";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, unsynced } from "./world";

const ORDERS = 30;
let w: SyncWorld;
let shared: SharedDatabase;
const children: Subprocess[] = [];

async function spawnWorker(): Promise<Subprocess> {
  const child = Bun.spawn(["bun", new URL("./fixtures/pos-worker.ts", import.meta.url).pathname], {
    env: { ...process.env, ...shared.env, REDIS_PREFIX: w.t.config.REDIS_PREFIX, LOG_LEVEL: "silent" },
    stdout: "pipe",
    stderr: "inherit",
  });
  children.push(child);
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  if (!new TextDecoder().decode(value).startsWith("ready")) throw new Error("worker process did not start");
  return child;
}

beforeAll(async () => {
  // Half the POS calls fail: a quarter before doing anything, a quarter after creating the order.
  w = await createSyncWorld({ square: { errorRate: 0.25, failAfterCommitRate: 0.25, latencyMs: 20 } });
  shared = await shareDatabase(w.t.database);
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await shared.stop();
  await w.close();
});

it("brings every order to a failing POS exactly once though a worker process is killed mid-run", async () => {
  const first = await spawnWorker();
  const ids: number[] = [];
  for (let i = 0; i < ORDERS; i++) ids.push(await placeOrder(w.t, 1));

  // Kill the first worker while it holds jobs.
  const queue = new Queue({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX });
  const stream = queue.keys.shard(0).stream("high");
  const holding = await eventually(
    async () => {
      const summary = (await w.t.redis.send("XPENDING", [stream, queue.keys.group])) as unknown[];
      return Number(summary[0]) > 0 && (await unsynced(w.t, ids)) < ORDERS;
    },
    20_000,
    5,
  );
  expect(holding).toBe(true);
  first.kill("SIGKILL");
  await first.exited;

  // A second process takes over what the first left in flight.
  await spawnWorker();
  const failed = new FailedJobs(queue, new PostgresFailedJobStore(w.t.db));
  const done = await eventually(
    async () => {
      // Jobs that used up their five tries are retried from failed, as an operator would.
      const page = await failed.store.list({ queue: "high" }, { limit: 100, offset: 0 });
      if (page.jobs.length > 0) await failed.retry(page.jobs.map((j) => j.jobId));
      return (await unsynced(w.t, ids)) === 0;
    },
    60_000,
    100,
  );
  expect(done).toBe(true);

  const onPos = w.sim.control.orders("square");
  for (const id of ids) {
    const created = onPos.filter((o) => o.reference === orderReference(id));
    expect(created).toHaveLength(1);
    const [row] = await w.t.db.select({ posOrderId: orders.posOrderId }).from(orders).where(eq(orders.id, id));
    expect(row?.posOrderId).toBe(created[0]!.id);
  }
  // The faults really happened: some requests were answered by a replay of an order already made.
  expect(onPos.some((o) => o.replays > 0)).toBe(true);
}, 120_000);
