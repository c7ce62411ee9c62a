import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { eq } from "drizzle-orm";
import { payments } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createLogger } from "../../src/logger";
import { paymentIdempotencyKey } from "../../src/pos/idempotency";
import { QueueMonitor } from "../../src/queue/monitor";
import { createAppServices } from "../../src/services/app-services";
import { PaymentSyncToPOS } from "../../src/sync/pos-job-contracts";
import { charges } from "../support/payments";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, unsynced } from "./world";

/**
 * A card charge whose answer never arrived: the payment stays pending, nothing reaches the POS,
 * and the settle job (dispatched by the sweeper) learns the outcome from the provider — the
 * charge exists once, the POS records it once. Restaurant 2's POS is Toast: it still pays
 * through the configured provider (the simulator's Square Payments).
 */
let w: SyncWorld;
let customer: string;

beforeAll(async () => {
  w = await createSyncWorld();
  // Ten times slower than the other sync tests' clock: a job's timeout is 1.2 s, robust on a busy machine.
  await w.startRuntime({ timeScale: 0.01 });
  customer = await w.t.tokenFor(DEMO_USERS.customer);
}, 120_000);
afterAll(() => w.close());

async function payment(id: number) {
  const [row] = await w.t.db
    .select({
      status: payments.status,
      posSyncState: payments.posSyncState,
      providerPaymentId: payments.providerPaymentId,
    })
    .from(payments)
    .where(eq(payments.id, id));
  return row!;
}

/** POS-side records of our payment (Toast, restaurant 2). */
const onPos = (paymentId: number) =>
  w.sim.control.payments("toast").filter((p) => p.idempotencyKey === paymentIdempotencyKey(paymentId));

/** Pays the order by card while the provider suffers `faults`; the answer must be a pending payment. */
async function payWhileProviderFails(orderId: number, faults: Parameters<SyncWorld["sim"]["control"]["setFaults"]>[1]) {
  expect(await eventually(async () => (await unsynced(w.t, [orderId])) === 0, 30_000)).toBe(true);
  w.sim.control.setFaults("square", faults);
  try {
    const res = await w.t.call("POST", `/v1/orders/${orderId}/payments`, {
      token: customer,
      headers: { "idempotency-key": `settle-${orderId}` },
      body: { method: "card", sourceId: "cnon:card-nonce-ok" },
    });
    expect(res.status).toBe(202);
    expect(res.body.payment.status).toBe("pending");
    return res.body.payment.id as number;
  } finally {
    w.sim.control.clearFaults("square");
  }
}

const sweepLater = () => {
  const { posDispatch } = createAppServices({
    config: w.t.config,
    db: w.t.db,
    redis: w.t.redis,
    logger: createLogger("silent"),
  });
  // Past the grace a live request gets to settle its own charge.
  return posDispatch.sweep(Date.now() + 60_000);
};

describe("settling a card payment the provider did not answer", () => {
  setDefaultTimeout(60_000);

  it("captures a charge whose answer was lost exactly once, and syncs it to the POS once", async () => {
    const orderId = await placeOrder(w.t, 2);
    // The provider charges the card, then its answer is lost (a 500 after the commit).
    const paymentId = await payWhileProviderFails(orderId, { failAfterCommitRate: 1 });
    expect(charges(w.sim, paymentId)).toHaveLength(1);

    // PaymentSyncToPOS never runs for a pending payment, even when a job for it turns up.
    const jobId = await w.runtime!.queue.dispatch(PaymentSyncToPOS, { paymentId, restaurantId: 2 });
    const monitor = new QueueMonitor({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX });
    expect(await eventually(async () => (await monitor.job(jobId!)) === null)).toBe(true);
    expect(await payment(paymentId)).toMatchObject({ status: "pending", posSyncState: "pending" });
    expect(onPos(paymentId)).toEqual([]);

    // Two workers' sweepers at once: one settle job, which re-sends the same charge.
    const sweeps = await Promise.all([sweepLater(), sweepLater()]);
    expect(sweeps.every((s) => s.settling >= 1)).toBe(true);
    expect(
      await eventually(async () => {
        const row = await payment(paymentId);
        return row.status === "captured" && row.posSyncState === "synced";
      }, 30_000),
    ).toBe(true);
    const [charge, ...more] = charges(w.sim, paymentId);
    expect(more).toEqual([]);
    expect(charge!.replays).toBeGreaterThanOrEqual(1);
    expect((await payment(paymentId)).providerPaymentId).toBe(charge!.id);
    expect(onPos(paymentId)).toHaveLength(1);

    // Settled: later sweeps have nothing to settle, and nothing is charged or synced again.
    expect((await sweepLater()).settling).toBe(0);
    await Bun.sleep(300);
    expect(charges(w.sim, paymentId)).toHaveLength(1);
    expect(onPos(paymentId)).toHaveLength(1);
  });

  it("charges once, after the outage, a card the provider never saw", async () => {
    const orderId = await placeOrder(w.t, 2);
    const paymentId = await payWhileProviderFails(orderId, { errorRate: 1 });
    expect(charges(w.sim, paymentId)).toEqual([]);
    await sweepLater();
    await eventually(async () => (await payment(paymentId)).posSyncState === "synced", 30_000);
    expect(await payment(paymentId)).toMatchObject({ status: "captured", posSyncState: "synced" });
    const [charge, ...more] = charges(w.sim, paymentId);
    expect(more).toEqual([]);
    expect(charge!.replays).toBe(0);
    expect(onPos(paymentId)).toHaveLength(1);
  });
});
