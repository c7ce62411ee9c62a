import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { LocalPosAdapter } from "../../src/pos/local/local-adapter";
import { parseFaultFlags } from "../../src/pos/simulator/fault-flags";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { connectionFor, orderInput, sampleCatalog } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  sim = await startPosSimulator({
    faults: { toast: { latencyMs: 5 } },
    seed: [{ vendor: "local", tenant: "store-seeded", catalog: sampleCatalog }],
  });
});
afterAll(() => sim.stop());

async function control(path: string, init?: { method: string; body?: unknown }): Promise<Response> {
  return fetch(`${sim.url}/__control${path}`, {
    method: init?.method ?? "GET",
    headers: { "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe("the simulator's control API", () => {
  it("starts with the faults and seed it was given", async () => {
    expect(await (await control("/faults")).json()).toMatchObject({ toast: { latencyMs: 5 }, square: {} });
    const adapter = new LocalPosAdapter({
      connection: connectionFor("local", sim.baseUrl("local"), { locationRef: "store-seeded" }),
    });
    expect((await adapter.fetchCatalog()).items).toHaveLength(3);
  });

  it("sets and clears faults at runtime over HTTP", async () => {
    const set = await control("/faults", { method: "POST", body: { vendor: "local", errorRate: 1 } });
    expect(set.status).toBe(200);
    const adapter = new LocalPosAdapter({ connection: connectionFor("local", sim.baseUrl("local")) });
    await expect(adapter.healthCheck()).rejects.toMatchObject({ status: 500 });
    await control("/faults?vendor=local", { method: "DELETE" });
    expect((await adapter.healthCheck()).ok).toBe(true);
  });

  it("rejects a fault it does not understand", async () => {
    const response = await control("/faults", { method: "POST", body: { vendor: "local", errorRate: 2 } });
    expect(response.status).toBe(400);
  });

  it("lists created orders, moves one on the POS side and counts requests", async () => {
    const connection = connectionFor("local", sim.baseUrl("local"));
    const adapter = new LocalPosAdapter({ connection });
    const order = await adapter.createOrder(orderInput());
    const listed = (await (await control("/local/orders")).json()) as Array<{ id: string }>;
    expect(listed.map((o) => o.id)).toContain(order.posOrderId);

    const moved = await control(`/local/orders/${order.posOrderId}/status`, {
      method: "POST",
      body: { status: "ready" },
    });
    expect(moved.status).toBe(200);
    expect((await adapter.fetchOrderStatus(order.posOrderId)).status).toBe("ready");
    expect((await control("/local/orders/nope/status", { method: "POST", body: { status: "ready" } })).status).toBe(
      404,
    );

    const counts = (await (await control("/counts")).json()) as Record<string, { orders: number; requests: number }>;
    expect(counts.local?.orders).toBeGreaterThanOrEqual(1);
    expect(counts.local?.requests).toBeGreaterThanOrEqual(2);
  });

  it("seeds a tenant's stock over HTTP", async () => {
    const seeded = await control("/local/tenants/store-http", {
      method: "PUT",
      body: { inventory: [{ posItemId: "item-burger", quantity: 7 }] },
    });
    expect(seeded.status).toBe(200);
    const adapter = new LocalPosAdapter({
      connection: connectionFor("local", sim.baseUrl("local"), { locationRef: "store-http" }),
    });
    expect(await adapter.fetchInventory()).toEqual([{ posItemId: "item-burger", quantity: 7 }]);
  });
});

describe("parseFaultFlags", () => {
  it("reads the --fault forms of pos:sim", () => {
    expect(
      parseFaultFlags(
        [
          "square:errorRate=0.5",
          "all:latencyMs=20",
          "toast:rateLimit=5x2",
          "local:outage=1000-3000",
          "local:outage=500",
        ],
        10_000,
      ),
    ).toEqual({
      square: { errorRate: 0.5, latencyMs: 20 },
      toast: { latencyMs: 20, rateLimit: { remaining: 5, retryAfterSeconds: 2 } },
      local: {
        latencyMs: 20,
        outages: [
          { startAt: 11_000, endAt: 13_000 },
          { startAt: 10_000, endAt: 10_500 },
        ],
      },
    });
  });

  it("refuses unknown vendors, faults and out-of-range rates", () => {
    expect(() => parseFaultFlags(["clover:errorRate=0.1"])).toThrow(/vendor/);
    expect(() => parseFaultFlags(["square:explode=1"])).toThrow(/unknown fault/);
    expect(() => parseFaultFlags(["square:errorRate=1.5"])).toThrow(/between 0 and 1/);
  });
});
