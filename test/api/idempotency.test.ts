import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { menuItems, orders, payments } from "../../db/schema";
import { DEMO_USERS } from "../../db/seed";
import { createTestApp, type TestApp } from "../support/app";
import { startPaymentProvider } from "../support/payments";

let t: TestApp;
let provider: Awaited<ReturnType<typeof startPaymentProvider>>;
let customer: string;
let other: string;
let orderBody: Record<string, unknown>;
let keys = 0;
const key = () => `idem-${process.pid}-${++keys}`;

beforeAll(async () => {
  provider = await startPaymentProvider();
  t = await createTestApp({ settings: provider.settings() });
  customer = await t.tokenFor(DEMO_USERS.customer);
  other = await t.tokenFor(DEMO_USERS.manager);
  const branchId = (await t.call("GET", "/v1/restaurants/1")).body.branches[0].id;
  const [item] = await t.db
    .select({ id: menuItems.id })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, 1), eq(menuItems.available, true), isNull(menuItems.branchId)))
    .limit(1);
  orderBody = { restaurantId: 1, branchId, type: "pickup", items: [{ menuItemId: item!.id, quantity: 2 }] };
}, 120_000);
afterAll(async () => {
  await t.close();
  await provider.stop();
});

const placeOrder = (token: string, idempotencyKey: string) =>
  t.call("POST", "/v1/orders", { token, headers: { "idempotency-key": idempotencyKey }, body: orderBody });

const pay = (orderId: number, idempotencyKey: string, body: Record<string, unknown>) =>
  t.call("POST", `/v1/orders/${orderId}/payments`, {
    token: customer,
    headers: { "idempotency-key": idempotencyKey },
    body,
  });

describe("order Idempotency-Keys belong to the customer who sent them", () => {
  it("gives another customer sending the same key and body an order of their own", async () => {
    // Both are returning customers, so both requests look for a replay first.
    expect((await placeOrder(other, key())).status).toBe(201);
    const shared = key();
    const mine = await placeOrder(customer, shared);
    expect(mine.status).toBe(201);
    const theirs = await placeOrder(other, shared);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.customerId).not.toBe(mine.body.customerId);
    const rows = await t.db
      .select({ id: orders.id, customerId: orders.customerId })
      .from(orders)
      .where(eq(orders.idempotencyKey, shared));
    expect(rows).toHaveLength(2);
    // And each customer's own replay still finds their own order.
    const again = await placeOrder(other, shared);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(theirs.body.id);
  });
});

describe("payment Idempotency-Keys", () => {
  it("answers a replay with the first payment and the Idempotent-Replayed header", async () => {
    const order = await placeOrder(customer, key());
    const k = key();
    const card = { method: "card", sourceId: "cnon:card-nonce-ok", amountCents: 100 };
    const first = await pay(order.body.id, k, card);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const replay = await pay(order.body.id, k, card);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.payment.id).toBe(first.body.payment.id);
    expect(replay.body.payment.amountCents).toBe(100);
    expect(replay.body.payment.status).toBe("captured");
    // The provider charged the card once.
    expect(provider.chargesFor(first.body.payment.id)).toHaveLength(1);
  });

  it("answers a replay of a declined payment with the same decline, without charging again", async () => {
    const order = await placeOrder(customer, key());
    const k = key();
    const declined = { method: "card", sourceId: "cnon:card-nonce-declined" };
    const first = await pay(order.body.id, k, declined);
    expect(first.status).toBe(402);
    expect(first.body.error.details.providerCode).toBe("CARD_DECLINED");
    const requests = provider.sim.control.counts().square.requests;
    const replay = await pay(order.body.id, k, declined);
    expect(replay.status).toBe(402);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.error.details).toEqual(first.body.error.details);
    expect(provider.sim.control.counts().square.requests).toBe(requests);
  });

  it("refuses the same key with another body, and records nothing", async () => {
    const order = await placeOrder(customer, key());
    const k = key();
    expect(
      (await pay(order.body.id, k, { method: "card", sourceId: "cnon:card-nonce-ok", amountCents: 100 })).status,
    ).toBe(201);
    for (const changed of [
      { method: "card", sourceId: "cnon:gift-card-nonce-ok", amountCents: 100 },
      { method: "card", sourceId: "cnon:card-nonce-ok", amountCents: 200 },
    ]) {
      const reused = await pay(order.body.id, k, changed);
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe("idempotency_key_reused");
      expect(reused.headers.get("idempotent-replayed")).toBeNull();
    }
    const rows = await t.db
      .select({ amountCents: payments.amountCents, method: payments.method })
      .from(payments)
      .where(eq(payments.orderId, order.body.id));
    expect(rows).toEqual([{ amountCents: 100, method: "card" }]);
  });
});
