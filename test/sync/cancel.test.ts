import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { eq, inArray, sql } from "drizzle-orm";
import { failedJobs, orders } from "../../db/schema";
import { orderReference } from "../../src/pos/idempotency";
import type { PosType } from "../../src/pos/types";
import { createSyncWorld, eventually, placeOrder, type SyncWorld } from "./world";

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld();
  // Job time runs 50 times faster, not 1000: a POS call slowed down to be caught mid-flight must
  // still fit in the job's timeout (2.4 s here).
  await w.startRuntime({ timeScale: 0.02 });
}, 300_000);
afterAll(() => w.close());

const VENDOR_OF: Record<number, PosType> = { 1: "square", 2: "toast", 3: "local" };

async function orderRow(id: number) {
  const [row] = await w.t.db
    .select({
      status: orders.status,
      posSyncState: orders.posSyncState,
      posCancelState: orders.posCancelState,
      posOrderId: orders.posOrderId,
      attempted: orders.posCreateAttemptedAt,
    })
    .from(orders)
    .where(eq(orders.id, id));
  return row!;
}

/** Every order the POS holds for one of ours, with its status as the POS shows it. */
function onPos(restaurantId: number, orderId: number) {
  const vendor = VENDOR_OF[restaurantId]!;
  return w.sim.control
    .orders(vendor)
    .filter((o) => o.reference === orderReference(orderId) || o.reference?.endsWith(`foodhub-order-${orderId}`))
    .map((o) => ({ id: o.id, status: w.sim.control.orderStatus(vendor, o.id) }));
}

const settled = async (ids: number[]) => {
  const rows = await w.t.db
    .select({ sync: orders.posSyncState, cancel: orders.posCancelState })
    .from(orders)
    .where(inArray(orders.id, ids));
  return rows.every(
    (r) => ["synced", "skipped"].includes(r.sync) && ["synced", "skipped"].includes(r.cancel ?? "pending"),
  );
};

async function cancel(id: number, email: string, body?: unknown) {
  return w.t.call("POST", `/v1/orders/${id}/cancel`, { token: await w.t.tokenFor(email), body });
}

describe("cancelling an order", () => {
  setDefaultTimeout(120_000);

  it("never sends an order cancelled before its sync ran, and answers a repeat idempotently", async () => {
    const runtime = w.runtime!;
    await runtime.queue.pause("high");
    await Bun.sleep(300);
    const id = await placeOrder(w.t, 3);
    const first = await cancel(id, "customer@demo.test", { reason: "changed my mind" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: "cancelled",
      cancelReason: "changed my mind",
      posCancelState: "queued",
    });
    const again = await cancel(id, "customer@demo.test");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.cancelledAt).toBe(first.body.cancelledAt);
    await runtime.queue.resume("high");
    expect(await eventually(() => settled([id]))).toBe(true);
    expect(await orderRow(id)).toMatchObject({ posSyncState: "skipped", posCancelState: "skipped", attempted: null });
    expect(w.sim.control.orders("local").filter((o) => o.reference === orderReference(id))).toHaveLength(0);
  });

  it("cancels a synced order on the POS, marks its captured payment for refund; the customer may not once accepted", async () => {
    const id = await placeOrder(w.t, 1);
    expect(await eventually(async () => (await orderRow(id)).posSyncState === "synced")).toBe(true);
    const customer = await w.t.tokenFor("customer@demo.test");
    const paid = await w.t.call("POST", `/v1/orders/${id}/payments`, {
      token: customer,
      headers: { "idempotency-key": `cancel-pay-${id}` },
      body: { method: "card", sourceId: "cnon:card-nonce-ok" },
    });
    expect(paid.status).toBe(201);
    await w.t.db.update(orders).set({ status: "accepted" }).where(eq(orders.id, id));
    const refused = await cancel(id, "customer@demo.test");
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("order_not_cancellable");
    expect((await orderRow(id)).status).toBe("accepted");
    expect((await cancel(id, "owner2@demo.test")).status).toBe(404);

    const byStaff = await cancel(id, "staff@demo.test");
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.payments[0].refundRequestedAt).not.toBeNull();
    expect(await eventually(async () => (await orderRow(id)).posCancelState === "synced")).toBe(true);
    const pos = onPos(1, id);
    expect(pos).toHaveLength(1);
    expect(pos[0]!.status).toBe("cancelled");
  });

  it("takes an order off the POS that its sync job was creating when it was cancelled", async () => {
    // A slow Square: the order sync is mid-call when the cancellation lands.
    w.sim.control.setFaults("square", { latencyMs: 300 });
    const id = await placeOrder(w.t, 1);
    expect(await eventually(async () => (await orderRow(id)).attempted !== null, 20_000, 5)).toBe(true);
    expect((await orderRow(id)).posOrderId).toBeNull();
    const res = await cancel(id, "admin@demo.test");
    expect(res.status).toBe(200);
    expect(await eventually(() => settled([id]), 30_000)).toBe(true);
    w.sim.control.clearFaults("square");
    const pos = onPos(1, id);
    expect(pos).toHaveLength(1);
    expect(pos[0]!.status).toBe("cancelled");
    expect(await orderRow(id)).toMatchObject({ posSyncState: "synced", posCancelState: "synced" });
  });

  it("leaves no order open on any POS when cancellations race the syncs (all three vendors)", async () => {
    // Some answers are lost after the POS committed (the case idempotency keys exist for).
    w.sim.control.setFaults("all", { latencyMs: 60 });
    w.sim.control.setFaults("square", { failAfterCommitRate: 0.2 });
    w.sim.control.setFaults("local", { failAfterCommitRate: 0.2 });
    const placed: Array<{ id: number; restaurantId: number }> = [];
    for (let i = 0; i < 8; i++) {
      for (const restaurantId of [1, 2, 3]) placed.push({ id: await placeOrder(w.t, restaurantId), restaurantId });
    }
    // Cancel each at a random moment: before, during or after its sync.
    await Promise.all(
      placed.map(async ({ id }) => {
        await Bun.sleep(Math.floor(Math.random() * 600));
        const res = await cancel(id, "admin@demo.test");
        expect(res.status).toBe(200);
      }),
    );
    const ids = placed.map((p) => p.id);
    expect(await eventually(() => settled(ids), 90_000, 100)).toBe(true);
    w.sim.control.clearFaults();
    for (const { id, restaurantId } of placed) {
      const pos = onPos(restaurantId, id);
      expect(pos.length).toBeLessThanOrEqual(1);
      for (const order of pos) expect({ id, status: order.status }).toEqual({ id, status: "cancelled" });
    }
    const [failed] = await w.t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(failedJobs)
      .where(sql`${failedJobs.name} in ('OrderSyncToPOS', 'OrderCancelToPOS')`);
    expect(failed?.n).toBe(0);
  });
});
