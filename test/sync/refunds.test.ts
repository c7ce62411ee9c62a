import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { eq } from "drizzle-orm";
import { orders, payments } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createLogger } from "../../src/logger";
import { refundIdempotencyKey } from "../../src/payments/payment-provider";
import { SquarePaymentsProvider } from "../../src/payments/square-payments-provider";
import { paymentIdempotencyKey, posRefundIdempotencyKey } from "../../src/pos/idempotency";
import type { PosType } from "../../src/pos/types";
import { createAppServices } from "../../src/services/app-services";
import { TEST_PAYMENTS_LOCATION, TEST_PAYMENTS_MERCHANT } from "../support/payments";
import { createSyncWorld, eventually, placeOrder, type SyncWorld } from "./world";

/**
 * A cancelled order's captured card payment is refunded through the payment provider (the
 * simulator's Square Payments) exactly once — whatever answers are lost, attempts retried or
 * workers crash — is recorded `refunded` only on the provider's COMPLETED, and the refund then
 * reaches the restaurant's POS (Square: RefundPayment; local: its refunds route; Toast: the void).
 */
let w: SyncWorld;
let customer: string;
let admin: string;

beforeAll(async () => {
  w = await createSyncWorld();
  // As the settle test: a job's timeout is 1.2 s, robust on a busy machine; backoffs are 0.3 s and up.
  await w.startRuntime({ timeScale: 0.01 });
  customer = await w.t.tokenFor(DEMO_USERS.customer);
  admin = await w.t.tokenFor(DEMO_USERS.admin);
}, 120_000);
afterAll(() => w.close());

const VENDOR_OF: Record<number, PosType> = { 1: "square", 2: "toast", 3: "local" };

async function row(paymentId: number) {
  const [found] = await w.t.db
    .select({
      status: payments.status,
      posSyncState: payments.posSyncState,
      posPaymentId: payments.posPaymentId,
      providerPaymentId: payments.providerPaymentId,
      refundState: payments.refundState,
      providerRefundId: payments.providerRefundId,
      refundedCents: payments.refundedCents,
      posRefundState: payments.posRefundState,
      posRefundId: payments.posRefundId,
    })
    .from(payments)
    .where(eq(payments.id, paymentId));
  return found!;
}

/** Refunds the provider made for our payment row (money went back), found by the refund's key. */
const providerRefunds = (paymentId: number) =>
  w.sim.control
    .refunds("square")
    .filter((r) => r.tenant === TEST_PAYMENTS_MERCHANT && r.idempotencyKey === refundIdempotencyKey(paymentId));

/** Refunds recorded on the restaurant's POS for our payment row. */
const posRefunds = (vendor: PosType, paymentId: number) =>
  w.sim.control.refunds(vendor).filter((r) => r.idempotencyKey === posRefundIdempotencyKey(paymentId));

/** An order of the restaurant, on its POS and paid by card, its payment on the POS too unless `syncPayment` is false. */
async function paidOrder(restaurantId: number): Promise<{ orderId: number; paymentId: number; amountCents: number }> {
  const orderId = await placeOrder(w.t, restaurantId);
  expect(await eventually(async () => (await orderState(orderId)) === "synced", 30_000)).toBe(true);
  const paid = await w.t.call("POST", `/v1/orders/${orderId}/payments`, {
    token: customer,
    headers: { "idempotency-key": `refund-pay-${orderId}` },
    body: { method: "card", sourceId: "cnon:card-nonce-ok" },
  });
  expect(paid.status).toBe(201);
  return { orderId, paymentId: paid.body.payment.id, amountCents: paid.body.payment.amountCents };
}

async function orderState(orderId: number): Promise<string> {
  const res = await w.t.call("GET", `/v1/orders/${orderId}`, { token: customer });
  return res.body.posSyncState;
}

const cancel = (orderId: number) => w.t.call("POST", `/v1/orders/${orderId}/cancel`, { token: admin, body: {} });

const refundDone = (paymentId: number) => async () => {
  const r = await row(paymentId);
  return r.refundState === "completed" && ["synced", "skipped", "failed"].includes(r.posRefundState ?? "");
};

describe("refunding a cancelled order's card payment", () => {
  setDefaultTimeout(90_000);

  for (const restaurantId of [1, 2, 3]) {
    const vendor = VENDOR_OF[restaurantId]!;
    it(`refunds it once at the provider and records the refund on the POS (${vendor})`, async () => {
      const { orderId, paymentId, amountCents } = await paidOrder(restaurantId);
      expect(await eventually(async () => (await row(paymentId)).posSyncState === "synced", 30_000)).toBe(true);

      const res = await cancel(orderId);
      expect(res.status).toBe(200);
      const answered = res.body.payments[0];
      expect(answered.id).toBe(paymentId);
      // The cancellation requested the refund; the refund job (dispatched before the response reads
      // the row) may already have taken it further.
      expect(answered.refundRequestedAt).not.toBeNull();
      expect(["requested", "pending", "completed"]).toContain(answered.refundState);

      expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
      const refunded = await row(paymentId);
      const [refund, ...more] = providerRefunds(paymentId);
      expect(more).toEqual([]);
      expect(refund!.amountCents).toBe(amountCents);
      expect(refund!.orderId).toBe(refunded.providerPaymentId!);
      expect(refunded).toMatchObject({
        status: "refunded",
        refundState: "completed",
        providerRefundId: refund!.id,
        refundedCents: amountCents,
        posRefundState: "synced",
      });
      if (vendor === "toast") {
        // Toast has no partner refund: the order's void with payments.voidAll gave the money back.
        expect(refunded.posRefundId).toBe(refunded.posPaymentId);
      } else {
        const [onPos, ...again] = posRefunds(vendor, paymentId);
        expect(again).toEqual([]);
        expect(onPos).toMatchObject({ id: refunded.posRefundId, orderId: refunded.posPaymentId, amountCents });
      }
      const read = await w.t.call("GET", `/v1/orders/${orderId}`, { token: customer });
      expect(read.body.payments[0]).toMatchObject({
        status: "refunded",
        refundState: "completed",
        refundedCents: amountCents,
        posRefundState: "synced",
      });
      expect(read.body.payments[0].refundedAt).not.toBeNull();
    });
  }

  it("refunds once when the provider's answer is lost after it refunded, and retries until it answers", async () => {
    // The local POS (restaurant 3): the Square faults below hit the provider only.
    const { orderId, paymentId } = await paidOrder(3);
    w.sim.control.setFaults("square", { failAfterCommitRate: 1 });
    try {
      expect((await cancel(orderId)).status).toBe(200);
      // The provider refunded, but every answer is a 500: the row stays open, the job retries.
      expect(await eventually(async () => providerRefunds(paymentId).length === 1, 20_000)).toBe(true);
      expect(await eventually(async () => providerRefunds(paymentId)[0]!.replays >= 1, 20_000)).toBe(true);
      expect((await row(paymentId)).refundState).toBe("requested");
    } finally {
      w.sim.control.clearFaults("square");
    }
    expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
    expect(providerRefunds(paymentId)).toHaveLength(1);
    expect(await row(paymentId)).toMatchObject({ status: "refunded", refundState: "completed" });
  });

  it("retries through a provider outage and refunds once it is back", async () => {
    const { orderId, paymentId } = await paidOrder(3);
    w.sim.control.setFaults("square", { errorRate: 1 });
    try {
      expect((await cancel(orderId)).status).toBe(200);
      await Bun.sleep(1_000);
      expect(providerRefunds(paymentId)).toEqual([]);
      expect((await row(paymentId)).refundState).toBe("requested");
    } finally {
      w.sim.control.clearFaults("square");
    }
    expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
    const [refund, ...more] = providerRefunds(paymentId);
    expect(more).toEqual([]);
    expect(refund!.replays).toBe(0);
  });

  it("gets back the refund a crashed worker made instead of refunding again", async () => {
    const runtime = w.runtime!;
    const { orderId, paymentId, amountCents } = await paidOrder(3);
    await runtime.queue.pause("high");
    await Bun.sleep(300);
    try {
      expect((await cancel(orderId)).status).toBe(200);
      // What the crashed attempt did before it died: the provider call, with the row's own key.
      const provider = new SquarePaymentsProvider({
        baseUrl: w.sim.baseUrl("square"),
        accessToken: TEST_PAYMENTS_MERCHANT,
        locationId: TEST_PAYMENTS_LOCATION,
        timeoutMs: 5_000,
      });
      const { providerPaymentId } = await row(paymentId);
      await provider.refund({
        paymentId,
        orderId,
        providerPaymentId: providerPaymentId!,
        amountCents,
        currency: "USD",
      });
      expect((await row(paymentId)).refundState).toBe("requested");
    } finally {
      await runtime.queue.resume("high");
    }
    expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
    const [refund, ...more] = providerRefunds(paymentId);
    expect(more).toEqual([]);
    expect(refund!.replays).toBeGreaterThanOrEqual(1);
    expect((await row(paymentId)).providerRefundId).toBe(refund!.id);
  });

  it("refunds, through the sweeper, a payment whose refund was never handed to the queue", async () => {
    const { orderId, paymentId } = await paidOrder(3);
    expect(await eventually(async () => (await row(paymentId)).posSyncState === "synced", 30_000)).toBe(true);
    // What a cancellation leaves when Redis is down at its commit: the row marked, no job.
    const past = new Date(Date.now() - 60_000);
    await w.t.db
      .update(orders)
      .set({ status: "cancelled", cancelledAt: past, posCancelState: "synced" })
      .where(eq(orders.id, orderId));
    await w.t.db
      .update(payments)
      .set({ refundRequestedAt: past, refundState: "requested" })
      .where(eq(payments.id, paymentId));
    // Nothing but the worker's sweeper (every 100 ms here) dispatches it: it is past the 30 s grace.
    expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
    expect(providerRefunds(paymentId)).toHaveLength(1);
    expect(posRefunds("local", paymentId)).toHaveLength(1);
    const { posDispatch } = createAppServices({
      config: w.t.config,
      db: w.t.db,
      redis: w.t.redis,
      logger: createLogger("silent"),
    });
    expect(await posDispatch.sweep()).toMatchObject({ refunds: 0, refundSyncs: 0 });
  });

  it("never sends the POS a payment whose order was cancelled before its sync ran", async () => {
    const runtime = w.runtime!;
    const orderId = await placeOrder(w.t, 3);
    expect(await eventually(async () => (await orderState(orderId)) === "synced", 30_000)).toBe(true);
    await runtime.queue.pause("default");
    // Workers see the pause on their next read: let them.
    await Bun.sleep(300);
    let paymentId: number;
    try {
      const paid = await w.t.call("POST", `/v1/orders/${orderId}/payments`, {
        token: customer,
        headers: { "idempotency-key": `refund-unsynced-${orderId}` },
        body: { method: "card", sourceId: "cnon:card-nonce-ok" },
      });
      expect(paid.status).toBe(201);
      paymentId = paid.body.payment.id;
      expect((await cancel(orderId)).status).toBe(200);
      // The provider refund (queue `high`) completes while the POS jobs (queue `default`) wait.
      expect(await eventually(async () => (await row(paymentId)).refundState === "completed", 30_000)).toBe(true);
    } finally {
      await runtime.queue.resume("default");
    }
    expect(await eventually(refundDone(paymentId), 30_000)).toBe(true);
    expect(await row(paymentId)).toMatchObject({ posSyncState: "skipped", posRefundState: "skipped" });
    expect(
      w.sim.control.payments("local").filter((p) => p.idempotencyKey === paymentIdempotencyKey(paymentId)),
    ).toEqual([]);
    expect(posRefunds("local", paymentId)).toEqual([]);
    expect(providerRefunds(paymentId)).toHaveLength(1);
  });
});
