import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PosRejectedError } from "../../src/pos/errors";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { ToastAdapter } from "../../src/pos/toast/toast-adapter";
import { ToastTokenCache } from "../../src/pos/toast/toast-token-cache";
import type { PosConnection } from "../../src/pos/types";
import { connectionFor, orderInput, paymentInput, sampleCatalog } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  sim = await startPosSimulator();
});
afterAll(() => sim.stop());

function toastWorld(tokenCache = new ToastTokenCache()): { connection: PosConnection; adapter: ToastAdapter } {
  const connection = connectionFor("toast", sim.baseUrl("toast"));
  sim.control.seed({ vendor: "toast", tenant: connection.locationRef, catalog: sampleCatalog });
  return { connection, adapter: new ToastAdapter({ connection, tokenCache }) };
}

describe("ToastAdapter against the simulator", () => {
  it("creates an order priced from the Toast menu and follows its status", async () => {
    const { adapter } = toastWorld();
    const input = orderInput();
    const created = await adapter.createOrder(input);
    expect(created.status).toBe("accepted");
    expect(created.totalCents).toBe(2 * 1250 + 300);

    const recorded = sim.control.orders("toast").find((o) => o.id === created.posOrderId);
    expect(recorded?.idempotencyKey).toBe(`foodhub-order-${input.orderId}`);
    expect(recorded?.reference).toBe(`FOODHUB:foodhub-order-${input.orderId}`);

    for (const status of ["preparing", "ready", "out_for_delivery", "completed", "cancelled"] as const) {
      sim.control.setOrderStatus("toast", created.posOrderId, status);
      expect((await adapter.fetchOrderStatus(created.posOrderId)).status).toBe(status);
    }
  });

  it("logs in once and reuses the token until it nears expiry", async () => {
    const tokens = new ToastTokenCache();
    const { adapter } = toastWorld(tokens);
    const before = sim.control.counts().toast.logins;
    await adapter.healthCheck();
    await adapter.fetchCatalog();
    await Promise.all([adapter.fetchInventory(), adapter.fetchInventory()]);
    expect(sim.control.counts().toast.logins - before).toBe(1);
  });

  it("logs in again once the cached token is within a minute of expiring", async () => {
    let skew = 0;
    const tokens = new ToastTokenCache(() => Date.now() + skew);
    const { adapter } = toastWorld(tokens);
    const before = sim.control.counts().toast.logins;
    await adapter.healthCheck();
    skew = 86_400_000 - 59_000; // the simulator's tokens live a day
    await adapter.healthCheck();
    expect(sim.control.counts().toast.logins - before).toBe(2);
  });

  it("logs in again when Toast refuses a cached token", async () => {
    const tokens = new ToastTokenCache();
    await toastWorld(tokens).adapter.healthCheck();
    sim.control.reset(); // the simulator forgets the tokens it issued, as a revocation would
    await toastWorld(tokens).adapter.healthCheck();
    expect(sim.control.counts().toast.logins).toBe(1);
  });

  it("returns the same Toast order on a retried create and Toast keeps one", async () => {
    const { adapter } = toastWorld();
    const input = orderInput();
    const [a, b] = await Promise.all([adapter.createOrder(input), adapter.createOrder(input)]);
    expect(b.posOrderId).toBe(a.posOrderId);
    const mine = sim.control.orders("toast").filter((o) => o.idempotencyKey === `foodhub-order-${input.orderId}`);
    expect(mine).toHaveLength(1);
  });

  it("adds one OTHER payment to the order's check, even when retried", async () => {
    const { adapter } = toastWorld();
    const input = orderInput();
    const order = await adapter.createOrder(input);
    const payment = paymentInput(order.posOrderId, input.orderId, 2800);
    const first = await adapter.recordPayment(payment);
    const second = await adapter.recordPayment(payment);
    expect(second.posPaymentId).toBe(first.posPaymentId);
    expect(first.amountCents).toBe(2800);
    expect(sim.control.payments("toast").filter((p) => p.orderId === order.posOrderId)).toHaveLength(1);
  });

  it("flattens menus into categories and items", async () => {
    const catalog = await toastWorld().adapter.fetchCatalog();
    expect(catalog.categories.map((c) => c.name)).toEqual(["Mains", "Drinks"]);
    expect(catalog.items.map((i) => [i.posExternalId, i.categoryPosExternalId, i.priceCents])).toEqual([
      ["item-burger", "cat-mains", 1250],
      ["item-salad", "cat-mains", 900],
      ["item-cola", "cat-drinks", 300],
    ]);
  });

  it("reads limited and out-of-stock items as levels", async () => {
    const { connection, adapter } = toastWorld();
    sim.control.seed({
      vendor: "toast",
      tenant: connection.locationRef,
      inventory: [
        { posItemId: "item-burger", quantity: 4 },
        { posItemId: "item-cola", quantity: 0 },
      ],
    });
    expect(await adapter.fetchInventory()).toEqual([
      { posItemId: "item-burger", quantity: 4 },
      { posItemId: "item-cola", quantity: 0 },
    ]);
  });

  it("rejects a line without a Toast item before calling Toast", async () => {
    const { adapter } = toastWorld();
    const input = orderInput();
    input.lines[0] = { ...input.lines[0]!, posItemId: null };
    const before = sim.control.counts().toast.requests;
    await expect(adapter.createOrder(input)).rejects.toBeInstanceOf(PosRejectedError);
    expect(sim.control.counts().toast.requests).toBe(before);
  });

  it("classifies refused client credentials as an auth rejection", async () => {
    const connection = connectionFor("toast", sim.baseUrl("toast"), {
      credentials: { clientId: "", clientSecret: "" },
    });
    const error = await new ToastAdapter({ connection }).healthCheck().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "auth", status: 401, retryable: false });
  });
});
