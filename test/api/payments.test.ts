import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { menuItems, payments } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { SQUARE_SANDBOX_SOURCES } from "../../src/pos/simulator/square-payment-routes";
import { createTestApp, type TestApp } from "../support/app";
import { startPaymentProvider } from "../support/payments";

/**
 * Who may pay how: a customer only by card through the payment provider, captured only on the
 * provider's word; the restaurant's people may record cash or external payments.
 */
// Each test places orders and talks to the provider over HTTP: more than Bun's default 5 s on a busy machine.
setDefaultTimeout(30_000);

let t: TestApp;
let provider: Awaited<ReturnType<typeof startPaymentProvider>>;
let customer: string;
let orderBody: Record<string, unknown>;
let keys = 0;
const key = () => `pay-${process.pid}-${++keys}`;

beforeAll(async () => {
  provider = await startPaymentProvider();
  t = await createTestApp({ settings: provider.settings() });
  customer = await t.tokenFor(DEMO_USERS.customer);
  const branchId = (await t.call("GET", "/v1/restaurants/1")).body.branches[0].id;
  const [item] = await t.db
    .select({ id: menuItems.id })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, 1), eq(menuItems.available, true), isNull(menuItems.branchId)))
    .limit(1);
  orderBody = { restaurantId: 1, branchId, type: "pickup", items: [{ menuItemId: item!.id, quantity: 2 }] };
}, 300_000);
afterAll(async () => {
  await t.close();
  await provider.stop();
});

async function placeOrder(): Promise<{ id: number; totalCents: number }> {
  const res = await t.call("POST", "/v1/orders", {
    token: customer,
    headers: { "idempotency-key": key() },
    body: orderBody,
  });
  expect(res.status).toBe(201);
  return res.body;
}

const pay = (orderId: number, token: string, body: unknown, idempotencyKey = key()) =>
  t.call("POST", `/v1/orders/${orderId}/payments`, { token, headers: { "idempotency-key": idempotencyKey }, body });

const rowsOf = (orderId: number) =>
  t.db
    .select({
      id: payments.id,
      status: payments.status,
      posSyncState: payments.posSyncState,
      failureCode: payments.failureCode,
    })
    .from(payments)
    .where(eq(payments.orderId, orderId));

describe("a customer paying", () => {
  it("cannot create a captured payment by any body", async () => {
    const order = await placeOrder();
    const attempts: Array<{ body: unknown; status: number; code: string }> = [
      { body: { method: "cash" }, status: 403, code: "forbidden" },
      { body: { method: "external", amountCents: order.totalCents }, status: 403, code: "forbidden" },
      { body: { method: "card" }, status: 400, code: "validation_error" },
      {
        body: { method: "card", sourceId: "cnon:card-nonce-ok", status: "captured" },
        status: 400,
        code: "validation_error",
      },
      { body: { method: "cash", status: "captured" }, status: 400, code: "validation_error" },
      { body: { method: "wallet" }, status: 400, code: "validation_error" },
      { body: { status: "captured", amountCents: order.totalCents }, status: 400, code: "validation_error" },
      { body: { method: "card", sourceId: "EXTERNAL" }, status: 400, code: "validation_error" },
      { body: { method: "card", sourceId: "cnon:not-a-sandbox-token" }, status: 402, code: "payment_declined" },
      { body: { method: "card", sourceId: "cnon:card-nonce-declined" }, status: 402, code: "payment_declined" },
    ];
    for (const attempt of attempts) {
      const res = await pay(order.id, customer, attempt.body);
      expect({ body: attempt.body, status: res.status, code: res.body.error?.code }).toEqual({
        body: attempt.body,
        status: attempt.status,
        code: attempt.code,
      });
    }
    const rows = await rowsOf(order.id);
    expect(rows.filter((r) => r.status === "captured")).toEqual([]);
    expect(rows.every((r) => r.status === "failed" && r.posSyncState === "skipped")).toBe(true);
    expect(provider.sim.control.payments("square")).toSatisfy((all) =>
      rows.every((r) => !all.some((p) => p.idempotencyKey === `foodhub-charge-${r.id}`)),
    );
  });

  it("is captured when the provider completes the charge, and handed to the POS sync", async () => {
    const order = await placeOrder();
    const res = await pay(order.id, customer, { method: "card", sourceId: "cnon:card-nonce-ok" });
    expect(res.status).toBe(201);
    expect(res.body.payment).toMatchObject({ status: "captured", method: "card", amountCents: order.totalCents });
    const [charge] = provider.chargesFor(res.body.payment.id);
    expect(res.body.payment.providerPaymentId).toBe(charge!.id);
    expect(charge!.amountCents).toBe(order.totalCents);
    expect(res.body.payment.posSyncState).toBe("queued");
  });

  it("gets a 402 with the provider's code for each declining Sandbox token, and nothing reaches the POS sync", async () => {
    const declining = Object.entries(SQUARE_SANDBOX_SOURCES).filter(([, s]) => s.outcome !== "ok");
    expect(declining.length).toBeGreaterThanOrEqual(6);
    for (const [sourceId, source] of declining) {
      const order = await placeOrder();
      const res = await pay(order.id, customer, { method: "card", sourceId });
      expect(res.status).toBe(402);
      expect(res.body.error.code).toBe("payment_declined");
      expect(res.body.error.details.providerCode).toBe("code" in source ? source.code : "");
      const rows = await rowsOf(order.id);
      expect(rows).toEqual([
        {
          id: res.body.error.details.paymentId,
          status: "failed",
          posSyncState: "skipped",
          failureCode: res.body.error.details.providerCode,
        },
      ]);
      // A declined card leaves the balance open: the customer can pay with another card.
      const retry = await pay(order.id, customer, { method: "card", sourceId: "cnon:card-nonce-ok" });
      expect(retry.status).toBe(201);
    }
  }, 60_000);
});

describe("staff recording an in-person payment", () => {
  it("records cash (staff) and external (manager) payments as captured", async () => {
    const order = await placeOrder();
    const cash = await pay(order.id, await t.tokenFor(DEMO_USERS.staff), { method: "cash", amountCents: 100 });
    expect(cash.status).toBe(201);
    expect(cash.body.payment).toMatchObject({
      status: "captured",
      method: "cash",
      amountCents: 100,
      posSyncState: "queued",
    });
    const external = await pay(order.id, await t.tokenFor(DEMO_USERS.manager), { method: "external" });
    expect(external.status).toBe(201);
    expect(external.body.payment).toMatchObject({
      status: "captured",
      method: "external",
      amountCents: order.totalCents - 100,
    });
    expect(provider.chargesFor(cash.body.payment.id)).toEqual([]);
  });

  it("hides the order from another restaurant's owner", async () => {
    const order = await placeOrder();
    const res = await pay(order.id, await t.tokenFor(DEMO_USERS.owner2), { method: "cash" });
    expect(res.status).toBe(404);
    expect(await rowsOf(order.id)).toEqual([]);
  });
});

describe("a provider that does not answer", () => {
  it("leaves the payment pending, holds its amount, and a replay returns it without charging again", async () => {
    const order = await placeOrder();
    provider.sim.control.setFaults("square", { errorRate: 1 });
    const k = key();
    let first: Awaited<ReturnType<typeof pay>>;
    try {
      first = await pay(order.id, customer, { method: "card", sourceId: "cnon:card-nonce-ok" }, k);
    } finally {
      provider.sim.control.clearFaults("square");
    }
    expect(first.status).toBe(202);
    expect(first.body.payment).toMatchObject({ status: "pending", posSyncState: "pending", providerPaymentId: null });
    const requests = provider.sim.control.counts().square.requests;
    const replay = await pay(order.id, customer, { method: "card", sourceId: "cnon:card-nonce-ok" }, k);
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.payment.id).toBe(first.body.payment.id);
    expect(provider.sim.control.counts().square.requests).toBe(requests);
    // The pending charge may still be captured: nobody can pay its amount a second time meanwhile.
    const again = await pay(order.id, await t.tokenFor(DEMO_USERS.staff), { method: "cash" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("order_already_paid");
  });
});

describe("without a payment provider", () => {
  it("refuses card payments with 503 and still lets staff record cash", async () => {
    const bare = await createTestApp();
    try {
      const placed = await bare.call("POST", "/v1/orders", {
        token: await bare.tokenFor(DEMO_USERS.customer),
        headers: { "idempotency-key": key() },
        body: orderBody,
      });
      const card = await bare.call("POST", `/v1/orders/${placed.body.id}/payments`, {
        token: await bare.tokenFor(DEMO_USERS.customer),
        headers: { "idempotency-key": key() },
        body: { method: "card", sourceId: "cnon:card-nonce-ok" },
      });
      expect(card.status).toBe(503);
      expect(card.body.error.code).toBe("payment_provider_unconfigured");
      const cash = await bare.call("POST", `/v1/orders/${placed.body.id}/payments`, {
        token: await bare.tokenFor(DEMO_USERS.staff),
        headers: { "idempotency-key": key() },
        body: { method: "cash" },
      });
      expect(cash.status).toBe(201);
    } finally {
      await bare.close();
    }
  }, 60_000);
});
