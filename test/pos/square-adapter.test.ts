import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PosNotFoundError, PosRejectedError } from "../../src/pos/errors";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { SquareAdapter } from "../../src/pos/square/square-adapter";
import type { PosConnection } from "../../src/pos/types";
import { connectionFor, orderInput, paymentInput, sampleCatalog } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  // A page size of 2 makes the catalog and inventory lists span several cursor pages.
  sim = await startPosSimulator({ pageSize: 2 });
});
afterAll(() => sim.stop());

function squareWorld(): { connection: PosConnection; adapter: SquareAdapter } {
  const connection = connectionFor("square", sim.baseUrl("square"));
  return { connection, adapter: new SquareAdapter({ connection }) };
}

describe("SquareAdapter against the simulator", () => {
  it("creates an order with the line items and charges, and reads its status back", async () => {
    const { connection, adapter } = squareWorld();
    const input = orderInput();
    const created = await adapter.createOrder(input);
    expect(created.status).toBe("accepted");
    expect(created.totalCents).toBe(2 * 1250 + 300 + 224);

    const [recorded] = sim.control.orders("square").filter((o) => o.id === created.posOrderId);
    expect(recorded?.idempotencyKey).toBe(`foodhub-order-${input.orderId}`);
    expect(recorded?.reference).toBe(`FOODHUB-${input.orderId}`);
    expect(recorded?.tenant).toBe(connection.credentials.accessToken!);

    sim.control.setOrderStatus("square", created.posOrderId, "ready");
    expect((await adapter.fetchOrderStatus(created.posOrderId)).status).toBe("ready");
    sim.control.setOrderStatus("square", created.posOrderId, "cancelled");
    expect((await adapter.fetchOrderStatus(created.posOrderId)).status).toBe("cancelled");
  });

  it("returns the same Square order when the create is retried, and Square keeps one", async () => {
    const { connection, adapter } = squareWorld();
    const input = orderInput();
    const first = await adapter.createOrder(input);
    const again = await new SquareAdapter({ connection }).createOrder(input);
    expect(again.posOrderId).toBe(first.posOrderId);
    const mine = sim.control.orders("square").filter((o) => o.idempotencyKey === `foodhub-order-${input.orderId}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.replays).toBe(1);
  });

  it("records an EXTERNAL payment once however often it is retried", async () => {
    const { adapter } = squareWorld();
    const input = orderInput();
    const order = await adapter.createOrder(input);
    const payment = paymentInput(order.posOrderId, input.orderId);
    const first = await adapter.recordPayment(payment);
    const second = await adapter.recordPayment(payment);
    expect(second.posPaymentId).toBe(first.posPaymentId);
    expect(first).toEqual({ posPaymentId: first.posPaymentId, posOrderId: order.posOrderId, amountCents: 3024 });
    const recorded = sim.control.payments("square").filter((p) => p.orderId === order.posOrderId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.idempotencyKey).toBe(`foodhub-payment-${payment.paymentId}`);
  });

  it("reads the whole catalog across cursor pages, items keyed by their variation", async () => {
    const { connection, adapter } = squareWorld();
    sim.control.seed({ vendor: "square", tenant: connection.credentials.accessToken!, catalog: sampleCatalog });
    const catalog = await adapter.fetchCatalog();
    expect(catalog.categories.map((c) => c.posExternalId)).toEqual(["cat-mains", "cat-drinks"]);
    expect(catalog.items).toEqual(sampleCatalog.items);
  });

  it("reads stock counts of its own location across pages", async () => {
    const { connection, adapter } = squareWorld();
    const levels = [
      { posItemId: "item-burger", quantity: 12 },
      { posItemId: "item-salad", quantity: 0 },
      { posItemId: "item-cola", quantity: 3 },
    ];
    sim.control.seed({ vendor: "square", tenant: connection.locationRef, inventory: levels });
    sim.control.seed({ vendor: "square", tenant: "another-location", inventory: [{ posItemId: "x", quantity: 1 }] });
    expect(await adapter.fetchInventory()).toEqual(levels);
  });

  it("answers a health check", async () => {
    const health = await squareWorld().adapter.healthCheck();
    expect(health.ok).toBe(true);
  });

  it("classifies a missing token as a non-retryable auth rejection with Square's error code", async () => {
    const connection = connectionFor("square", sim.baseUrl("square"), { credentials: {} });
    const error = await new SquareAdapter({ connection }).createOrder(orderInput()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosRejectedError);
    expect(error).toMatchObject({ reason: "auth", status: 401, code: "UNAUTHORIZED", retryable: false });
  });

  it("classifies an unknown order as not found", async () => {
    const error = await squareWorld()
      .adapter.fetchOrderStatus("NO-SUCH-ORDER")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosNotFoundError);
    expect(error).toMatchObject({ reason: "not_found", code: "NOT_FOUND" });
  });
});
