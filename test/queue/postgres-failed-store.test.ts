import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { type DatabaseHandle, openDatabase } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { failedJobs } from "../../db/schema";
import { FailedJobs } from "../../src/queue/failed-jobs";
import { defineJob } from "../../src/queue/job";
import { PostgresFailedJobStore } from "../../src/services/monitoring/failed-job-store";
import { queueWorld, waitFor } from "./support";

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openDatabase({});
  await runMigrations(handle);
});

afterAll(() => handle.close());

describe("failed jobs in Postgres", () => {
  it("stores failed jobs with restaurant, reason and payload, filters them and retries them", async () => {
    const world = await queueWorld();
    const store = new PostgresFailedJobStore(handle.db);
    let healthy = false;
    const done: number[] = [];
    const job = defineJob({
      name: "OrderSyncExample",
      queue: "high",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ restaurantId: z.number(), orderId: z.number() }),
      partitionKey: (p) => String(p.restaurantId),
      handle(p) {
        if (!healthy) throw new Error(`POS down for order ${p.orderId}`);
        done.push(p.orderId);
      },
    });
    const worker = world.worker({ jobs: [job], failedStore: store });
    await worker.start();
    const ids = (await world.queue.dispatchMany(job, [
      { restaurantId: 11, orderId: 1 },
      { restaurantId: 11, orderId: 2 },
      { restaurantId: 12, orderId: 3 },
    ])) as [string, string, string];
    await waitFor(async () => (await store.count({})) === 3);

    const rows = await handle.db.select().from(failedJobs);
    const first = rows.find((r) => r.jobId === ids[0])!;
    expect(first).toMatchObject({ queue: "high", name: "OrderSyncExample", restaurantId: 11, attempts: 1 });
    expect(first.payload).toEqual({ restaurantId: 11, orderId: 1 });
    expect(first.error).toBe("Error: POS down for order 1");
    const stored = await store.get(ids[0]);
    expect(stored).toMatchObject({ reason: "exhausted", partition: "11", queue: "high" });

    expect((await store.list({ partition: "11" }, { limit: 10, offset: 0 })).total).toBe(2);
    expect((await store.list({ partitions: ["12", "99"] }, { limit: 10, offset: 0 })).jobs.map((j) => j.jobId)).toEqual(
      [ids[2]],
    );
    expect(await store.count({ name: "Other" })).toBe(0);
    expect(await store.count({ queue: "high", from: Date.now() - 60_000 })).toBe(3);

    // Saving the same job again (a crash between save and ack) keeps one row.
    await store.save(stored!);
    expect(await store.count({})).toBe(3);

    healthy = true;
    const retry = new FailedJobs(world.queue, store);
    expect(await retry.retry([ids[0]])).toEqual([ids[0]]);
    expect(await retry.retryAll({ partition: "12" })).toBe(1);
    await waitFor(() => done.length === 2);
    expect(done.sort()).toEqual([1, 3]);
    expect(await store.delete([ids[1]])).toBe(1);
    expect(await store.clear({})).toBe(0);
  });

  it("keeps a record that changed since it was read when deleting it conditionally", async () => {
    const store = new PostgresFailedJobStore(handle.db);
    const record = {
      jobId: `conditional-${Date.now()}`,
      queue: "high",
      name: "OrderSyncExample",
      partition: "1",
      payload: { orderId: 1 },
      envelope: {
        id: "x",
        name: "OrderSyncExample",
        queue: "high",
        payload: { orderId: 1 },
        attempts: 1,
        createdAt: 1,
        availableAt: 1,
      },
      reason: "exhausted" as const,
      error: "first failure",
      stack: null,
      attempts: 1,
      failedAt: 1_700_000_000_123,
    };
    await store.save(record);
    // It failed again after being read: the newer record stays.
    await store.save({ ...record, error: "second failure", failedAt: record.failedAt + 5 });
    expect(await store.deleteIfUnchanged([{ jobId: record.jobId, failedAt: record.failedAt }])).toBe(0);
    expect((await store.get(record.jobId))?.error).toBe("second failure");
    expect(await store.deleteIfUnchanged([{ jobId: record.jobId, failedAt: record.failedAt + 5 }])).toBe(1);
    expect(await store.get(record.jobId)).toBeNull();
  });
});
