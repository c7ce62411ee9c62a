import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { failedJobs, inventoryAlerts, orders, payments } from "../../db/schema";
import { QueueMonitor } from "../../src/queue/monitor";
import { markSyncFailed } from "../../workers/jobs/mark-sync-failed";
import { FAST_BREAKER } from "./timing";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, stockedItem } from "./world";

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld();
  // The breaker never opens here, so an outage uses the job's tries instead of waiting it out.
  await w.startRuntime({ breaker: { ...FAST_BREAKER, failureThreshold: 1_000 } });
}, 120_000);
afterAll(() => w.close());

const syncStateOf = async (orderId: number) =>
  (await w.t.db.select({ state: orders.posSyncState }).from(orders).where(eq(orders.id, orderId)))[0]?.state;

describe("what a sync job leaves on its row", () => {
  setDefaultTimeout(30_000);

  it("marks an order failed once its sync has used up its tries", async () => {
    w.sim.control.setFaults("local", { errorRate: 1 });
    try {
      const orderId = await placeOrder(w.t, 3);
      const failed = await eventually(async () => (await syncStateOf(orderId)) === "failed");
      expect(failed).toBe(true);
      // The last attempt's handler marks the row before it throws; the worker records the failed
      // job after the handler has ended, so that record can come a moment later.
      const failedJob = async () =>
        (
          await w.t.db
            .select({ attempts: failedJobs.attempts, name: failedJobs.name })
            .from(failedJobs)
            .where(sql`${failedJobs.payload}->>'orderId' = ${String(orderId)}`)
        )[0];
      await eventually(async () => (await failedJob()) !== undefined);
      expect(await failedJob()).toEqual({ attempts: 5, name: "OrderSyncToPOS" });
    } finally {
      w.sim.control.clearFaults("local");
    }
  });

  it("never lets a failing copy overwrite a row another copy already synced", async () => {
    const [synced] = await w.t.db
      .select({ id: orders.id })
      .from(orders)
      .where(eq(orders.posSyncState, "synced"))
      .limit(1);
    const [syncedPayment] = await w.t.db
      .select({ id: payments.id })
      .from(payments)
      .where(eq(payments.posSyncState, "synced"))
      .limit(1);
    await markSyncFailed(w.t.db, { orderId: synced!.id });
    await markSyncFailed(w.t.db, { paymentId: syncedPayment!.id });
    expect(await syncStateOf(synced!.id)).toBe("synced");
    const [payment] = await w.t.db
      .select({ state: payments.posSyncState })
      .from(payments)
      .where(eq(payments.id, syncedPayment!.id));
    expect(payment?.state).toBe("synced");

    // A row that did not sync is marked: the guard is about synced rows only.
    const [queued] = await w.t.db
      .update(orders)
      .set({ posSyncState: "queued" })
      .where(eq(orders.id, synced!.id))
      .returning({ id: orders.id });
    await markSyncFailed(w.t.db, { orderId: queued!.id });
    expect(await syncStateOf(queued!.id)).toBe("failed");
  });

  it("records one low-stock alert however many pulls find the level still low", async () => {
    const level = await stockedItem(w);
    const alertsFor = () =>
      w.t.db
        .select({ quantity: inventoryAlerts.quantity })
        .from(inventoryAlerts)
        .where(eq(inventoryAlerts.menuItemId, level.itemId));
    const monitor = new QueueMonitor({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX });
    const runtime = w.runtime!;

    for (const quantity of [2, 1]) {
      level.setPosStock(quantity);
      const jobId = await runtime.queue.dispatch(runtime.jobs.inventoryUpdateFromPos, { restaurantId: 1 });
      expect(jobId).not.toBeNull();
      // The pull has run to its end: its job is gone and the level is the POS's.
      expect(await eventually(async () => (await monitor.job(jobId!)) === null)).toBe(true);
      expect(await level.quantity()).toBe(quantity);
    }
    // The first pull crossed the threshold; the second found it already below.
    expect(await alertsFor()).toEqual([{ quantity: 2 }]);
  });
});
