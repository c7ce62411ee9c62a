import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PosNotFoundError, PosRejectedError } from "../../src/pos/errors";
import { LocalPosAdapter } from "../../src/pos/local/local-adapter";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { PosConnection } from "../../src/pos/types";
import { connectionFor, orderInput, paymentInput, sampleCatalog } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  sim = await startPosSimulator();
});
afterAll(() => sim.stop());

function localWorld(): { connection: PosConnection; adapter: LocalPosAdapter } {
  const connection = connectionFor("local", sim.baseUrl("local"));
  return { connection, adapter: new LocalPosAdapter({ connection }) };
}

describe("LocalPosAdapter against the simulator", () => {
  it("creates an order, replays it on retry, and follows its status", async () => {
    const { connection, adapter } = localWorld();
    const input = orderInput();
    const first = await adapter.createOrder(input);
    const again = await adapter.createOrder(input);
    expect(again).toEqual(first);
    expect(first).toMatchObject({ status: "accepted", totalCents: 3024 });
    const mine = sim.control.orders("local").filter((o) => o.tenant === connection.locationRef);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ idempotencyKey: `foodhub-order-${input.orderId}`, replays: 1 });

    sim.control.setOrderStatus("local", first.posOrderId, "out_for_delivery");
    expect((await adapter.fetchOrderStatus(first.posOrderId)).status).toBe("out_for_delivery");
  });

  it("records a payment once", async () => {
    const { adapter } = localWorld();
    const input = orderInput();
    const order = await adapter.createOrder(input);
    const payment = paymentInput(order.posOrderId, input.orderId);
    const [a, b] = await Promise.all([adapter.recordPayment(payment), adapter.recordPayment(payment)]);
    expect(b).toEqual(a);
    expect(sim.control.payments("local").filter((p) => p.orderId === order.posOrderId)).toHaveLength(1);
  });

  it("reads the menu and the stock of its store", async () => {
    const { connection, adapter } = localWorld();
    sim.control.seed({
      vendor: "local",
      tenant: connection.locationRef,
      catalog: sampleCatalog,
      inventory: [{ posItemId: "item-salad", quantity: 2 }],
    });
    expect(await adapter.fetchCatalog()).toEqual(sampleCatalog);
    expect(await adapter.fetchInventory()).toEqual([{ posItemId: "item-salad", quantity: 2 }]);
    expect((await adapter.healthCheck()).ok).toBe(true);
  });

  it("refuses an idempotency key reused with another body as a validation error", async () => {
    const { adapter } = localWorld();
    const input = orderInput();
    await adapter.createOrder(input);
    const error = await adapter.createOrder({ ...input, totalCents: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosRejectedError);
    expect(error).toMatchObject({ reason: "validation", status: 409, code: "idempotency_key_reused" });
  });

  it("classifies an unknown order as not found", async () => {
    await expect(localWorld().adapter.fetchOrderStatus("nope")).rejects.toBeInstanceOf(PosNotFoundError);
  });
});
