import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { jobBatches, posConnections } from "../../db/schema";
import { consoleLogger } from "../../src/queue/logger";
import { Queue } from "../../src/queue/queue";
import { Worker } from "../../src/queue/worker";
import { createRecordJobBatch } from "../../workers/jobs/record-job-batch";
import { waitFor } from "../queue/support";
import { createTestApp, type TestApp } from "../support/app";
import { deleteKeys } from "../support/redis";

let t: TestApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const who of ["admin", "owner", "manager", "staff", "owner2", "customer"]) {
    tokens[who] = await t.tokenFor(`${who}@demo.test`);
  }
}, 240_000);

afterAll(async () => {
  await deleteKeys(t.redis, `{${t.config.REDIS_PREFIX}`);
  await t.close();
});

async function activeConnections(restaurantId?: number): Promise<number> {
  const rows = await t.db
    .selectDistinct({ restaurantId: posConnections.restaurantId })
    .from(posConnections)
    .where(
      restaurantId === undefined
        ? eq(posConnections.status, "active")
        : and(eq(posConnections.status, "active"), eq(posConnections.restaurantId, restaurantId)),
    );
  return rows.length;
}

const resync = (restaurantId: number) => ({ kind: "resync-restaurant", restaurantId });

describe("job batch routes", () => {
  it("lets an owner resync their restaurant and shows its progress to owners and managers only", async () => {
    const created = await t.call("POST", "/v1/admin/batches", { token: tokens.owner, body: resync(1) });
    expect(created.status).toBe(201);
    const total = 2 * (await activeConnections(1));
    expect(total).toBeGreaterThan(0);
    expect(created.body).toMatchObject({
      kind: "resync-restaurant",
      restaurantId: 1,
      total,
      pending: total,
      processed: 0,
      progress: 0,
      finishedAt: null,
    });
    const id = created.body.id as string;
    const path = `/v1/admin/batches/${id}`;
    expect((await t.call("GET", path, { token: tokens.manager })).status).toBe(200);
    expect((await t.call("GET", path, { token: tokens.admin })).status).toBe(200);
    expect((await t.call("GET", path, { token: tokens.staff })).status).toBe(403);
    expect((await t.call("GET", path, { token: tokens.owner2 })).status).toBe(404);
    expect((await t.call("GET", path, { token: tokens.customer })).status).toBe(404);
    expect((await t.call("GET", path)).status).toBe(401);
    expect((await t.call("POST", `${path}/cancel`, { token: tokens.manager })).status).toBe(403);
    expect((await t.call("POST", `${path}/cancel`, { token: tokens.owner2 })).status).toBe(404);
    const listed = await t.call("GET", "/v1/admin/batches", { token: tokens.owner2 });
    expect(listed.body.batches.map((b: { id: string }) => b.id)).not.toContain(id);
    expect(
      (await t.call("GET", "/v1/admin/batches", { token: tokens.manager })).body.batches.map(
        (b: { id: string }) => b.id,
      ),
    ).toContain(id);
  });

  it("refuses a restaurant's resync to managers and strangers, and platform-wide batches to non-admins", async () => {
    expect((await t.call("POST", "/v1/admin/batches", { token: tokens.manager, body: resync(1) })).status).toBe(403);
    expect((await t.call("POST", "/v1/admin/batches", { token: tokens.owner2, body: resync(1) })).status).toBe(404);
    const all = { kind: "sync-all-restaurants", what: "menu" };
    const refused = await t.call("POST", "/v1/admin/batches", { token: tokens.owner, body: all });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");

    const created = await t.call("POST", "/v1/admin/batches", { token: tokens.admin, body: all });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ restaurantId: null, total: await activeConnections() });
    const id = created.body.id as string;
    expect((await t.call("GET", `/v1/admin/batches/${id}`, { token: tokens.owner })).status).toBe(404);
    const ownerList = await t.call("GET", "/v1/admin/batches", { token: tokens.owner });
    expect(ownerList.body.batches.map((b: { id: string }) => b.id)).not.toContain(id);
    const adminList = await t.call("GET", "/v1/admin/batches", { token: tokens.admin });
    expect(adminList.body.batches.map((b: { id: string }) => b.id)).toContain(id);
  });

  it("answers bad input with a 400 and changes nothing", async () => {
    const before = (await t.call("GET", "/v1/admin/batches", { token: tokens.admin })).body.batches.length;
    for (const body of [
      { kind: "resync-everything", restaurantId: 1 },
      { kind: "resync-restaurant", restaurantId: 0 },
      { kind: "resync-restaurant", restaurantId: 1, extra: true },
      { kind: "sync-all-restaurants", what: "orders" },
    ]) {
      const res = await t.call("POST", "/v1/admin/batches", { token: tokens.admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    }
    expect((await t.call("GET", "/v1/admin/batches/not%20an%20id", { token: tokens.admin })).status).toBe(400);
    expect((await t.call("GET", "/v1/admin/batches/nosuchbatch", { token: tokens.admin })).status).toBe(404);
    expect((await t.call("GET", "/v1/admin/batches", { token: tokens.admin })).body.batches.length).toBe(before);
  });

  it("cancels a batch: its jobs are skipped, and the finished batch is written to job_batches", async () => {
    const created = await t.call("POST", "/v1/admin/batches", { token: tokens.owner, body: resync(1) });
    const id = created.body.id as string;
    const cancelled = await t.call("POST", `/v1/admin/batches/${id}/cancel`, { token: tokens.owner });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelledAt).toBeGreaterThan(0);
    expect((await t.call("POST", `/v1/admin/batches/${id}/cancel`, { token: tokens.owner })).status).toBe(200);

    const queue = new Queue({ redis: t.redis, prefix: t.config.REDIS_PREFIX });
    const worker = new Worker({
      redis: t.redis,
      prefix: t.config.REDIS_PREFIX,
      // Nothing of a cancelled batch runs; only its finally callback, the app's real one.
      jobs: [createRecordJobBatch({ db: t.db, batches: queue.batches, retentionDays: 30 })],
      logger: consoleLogger("silent"),
      blockMs: 200,
      promoteIntervalMs: 20,
      stallCheckIntervalMs: 100,
      heartbeatIntervalMs: 200,
    });
    await worker.start();
    try {
      const row = await waitFor(
        async () => (await t.db.select().from(jobBatches).where(eq(jobBatches.id, id)))[0],
        15_000,
        "the job_batches row",
      );
      const total = created.body.total as number;
      expect(row).toMatchObject({ totalJobs: total, pendingJobs: 0, failedJobs: 0 });
      expect(row.finishedAt).not.toBeNull();
      expect(row.cancelledAt).not.toBeNull();
      expect(row.options).toMatchObject({ kind: "resync-restaurant", skipped: total, processed: 0 });
    } finally {
      await worker.stop();
    }
    const shown = await t.call("GET", `/v1/admin/batches/${id}`, { token: tokens.owner });
    expect(shown.body).toMatchObject({ skipped: created.body.total, pending: 0, progress: 1 });
    // Once Redis no longer has it, the history answers.
    await t.redis.send("DEL", [queue.keys.shard(queue.keys.batchHome(id)).batch(id)]);
    const fromHistory = await t.call("GET", `/v1/admin/batches/${id}`, { token: tokens.owner });
    expect(fromHistory.status).toBe(200);
    expect(fromHistory.body).toMatchObject({ id, restaurantId: 1, skipped: created.body.total, progress: 1 });
    expect((await t.call("GET", `/v1/admin/batches/${id}`, { token: tokens.owner2 })).status).toBe(404);
  }, 30_000);
});
