import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import { menuItems, orders, posConnections } from "../../db/schema";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { listPosConnectionStatuses } from "../../src/pos/circuit-breaker";
import { orderReference } from "../../src/pos/idempotency";
import { signPosWebhook } from "../../src/pos/webhook-signatures";
import { TcpRedis } from "../../src/redis/tcp";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, unsynced } from "./world";

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld();
  await w.startRuntime();
}, 120_000);
afterAll(() => w.close());

const streamLength = async (queue: string) =>
  Number(await w.t.redis.send("XLEN", [w.runtime!.queue.keys.shard(0).stream(queue)]));

describe("POS sync end to end", () => {
  // Workers, a simulator and the 5 s sweeper grace: more than Bun's default 5 s per test.
  setDefaultTimeout(30_000);

  it("brings an order placed through the API to the POS exactly once", async () => {
    const id = await placeOrder(w.t, 1);
    expect(await eventually(async () => (await unsynced(w.t, [id])) === 0)).toBe(true);
    const onPos = w.sim.control.orders("square").filter((o) => o.reference === orderReference(id));
    expect(onPos).toHaveLength(1);
    const [row] = await w.t.db.select({ posOrderId: orders.posOrderId }).from(orders).where(eq(orders.id, id));
    expect(row?.posOrderId).toBe(onPos[0]!.id);
  });

  it("records a payment on the POS against the synced order", async () => {
    const id = await placeOrder(w.t, 2);
    const customer = await w.t.tokenFor("customer@demo.test");
    const paid = await w.t.call("POST", `/v1/orders/${id}/payments`, {
      token: customer,
      headers: { "idempotency-key": `pay-${id}-${Date.now()}` },
      body: { method: "card", sourceId: "cnon:card-nonce-ok" },
    });
    expect(paid.status).toBe(201);
    const paymentId = paid.body.payment.id;
    const synced = await eventually(async () => {
      const res = await w.t.call("GET", `/v1/orders/${id}`, { token: customer });
      return res.body.payments.find((p: { id: number }) => p.id === paymentId)?.posSyncState === "synced";
    });
    expect(synced).toBe(true);
    const [order] = await w.t.db.select({ posOrderId: orders.posOrderId }).from(orders).where(eq(orders.id, id));
    const recorded = w.sim.control.payments("toast").filter((p) => p.orderId === order?.posOrderId);
    expect(recorded).toHaveLength(1);
  });

  it("accepts an order while Redis is unreachable and syncs it once Redis answers", async () => {
    // The same app, but its Redis is a closed port: the request cannot dispatch.
    const deadRedis = new TcpRedis("redis://127.0.0.1:1");
    const app = createApp({ config: w.t.config, db: w.t.db, redis: deadRedis, logger: createLogger("silent") });
    const restaurant = await w.t.call("GET", "/v1/restaurants/3");
    const [item] = await w.t.db
      .select({ id: menuItems.id })
      .from(menuItems)
      .where(and(eq(menuItems.restaurantId, 3), eq(menuItems.available, true)))
      .limit(1);
    const token = await w.t.tokenFor("customer@demo.test");
    const res = await app.request("/v1/orders", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": `outage-${Date.now()}`,
      },
      body: JSON.stringify({
        restaurantId: 3,
        branchId: restaurant.body.branches[0].id,
        type: "pickup",
        items: [{ menuItemId: item!.id, quantity: 5 }],
      }),
    });
    deadRedis.close();
    expect(res.status).toBe(201);
    const order = (await res.json()) as { id: number; posSyncState: string };
    expect(order.posSyncState).toBe("pending");
    // The worker's sweeper hands it to the queue; the job syncs it.
    expect(await eventually(async () => (await unsynced(w.t, [order.id])) === 0)).toBe(true);
    expect(w.sim.control.orders("local").filter((o) => o.reference === orderReference(order.id))).toHaveLength(1);
  });

  it("updates an order's status from a signed POS webhook", async () => {
    const id = await placeOrder(w.t, 3);
    expect(await eventually(async () => (await unsynced(w.t, [id])) === 0)).toBe(true);
    const [row] = await w.t.db.select({ posOrderId: orders.posOrderId }).from(orders).where(eq(orders.id, id));
    expect(w.sim.control.setOrderStatus("local", row!.posOrderId!, "ready")).toBe(true);
    const [connection] = await w.t.db
      .select({ secret: posConnections.webhookSecret })
      .from(posConnections)
      .where(eq(posConnections.posType, "local"));
    const sent = await w.sim.control.sendWebhook({
      vendor: "local",
      url: `${w.apiUrl}/v1/webhooks/pos/local`,
      secret: connection!.secret!,
      event: { kind: "order_status", posOrderId: row!.posOrderId! },
    });
    expect(sent.status).toBe(200);
    const updated = await eventually(async () => {
      const [now] = await w.t.db.select({ status: orders.status }).from(orders).where(eq(orders.id, id));
      return now?.status === "ready";
    });
    expect(updated).toBe(true);

    // The vendor redelivers the same event: acknowledged, not acted on twice.
    const again = await fetch(`${w.apiUrl}/v1/webhooks/pos/local`, {
      method: "POST",
      headers: sent.headers,
      body: sent.rawBody,
    });
    expect(((await again.json()) as { status: string }).status).toBe("duplicate");
  });

  it("asks the POS to redeliver a status event for an order it has not synced yet", async () => {
    const [connection] = await w.t.db
      .select({ secret: posConnections.webhookSecret })
      .from(posConnections)
      .where(eq(posConnections.posType, "local"));
    const rawBody = JSON.stringify({
      id: `evt-early-${Date.now()}`,
      type: "order.status_changed",
      storeId: "store-3",
      createdAt: new Date().toISOString(),
      data: { orderId: "not-stored-yet", status: "ready" },
    });
    const headers = {
      "content-type": "application/json",
      ...(await signPosWebhook("local", { secret: connection!.secret!, rawBody })),
    };
    const first = await fetch(`${w.apiUrl}/v1/webhooks/pos/local`, { method: "POST", headers, body: rawBody });
    expect(first.status).toBe(409);
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe("unknown_pos_order");
    // The redelivery is processed again, not mistaken for a duplicate.
    const again = await fetch(`${w.apiUrl}/v1/webhooks/pos/local`, { method: "POST", headers, body: rawBody });
    expect(again.status).toBe(409);
  });

  it("rejects a webhook with a bad signature and queues nothing", async () => {
    const before = await streamLength("high");
    const body = JSON.stringify({
      id: "evt-forged",
      type: "order.status_changed",
      storeId: "store-3",
      createdAt: new Date().toISOString(),
      data: { orderId: "whatever", status: "cancelled" },
    });
    const res = await fetch(`${w.apiUrl}/v1/webhooks/pos/local`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-local-signature": "00".repeat(32) },
      body,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const unsigned = await fetch(`${w.apiUrl}/v1/webhooks/pos/square`, { method: "POST", body });
    expect(unsigned.status).toBe(401);
    expect(await streamLength("high")).toBe(before);
  });

  it("opens the breaker during a POS outage and syncs the waiting orders once it closes", async () => {
    w.sim.control.outage("square", 4_000);
    const ids = [await placeOrder(w.t, 1), await placeOrder(w.t, 1), await placeOrder(w.t, 1)];
    const opened = await eventually(async () => {
      const [status] = await listPosConnectionStatuses(w.t.redis, w.t.config.REDIS_PREFIX, 1, ["square"]);
      return status?.state === "open";
    }, 10_000);
    expect(opened).toBe(true);
    expect(await eventually(async () => (await unsynced(w.t, ids)) === 0, 30_000)).toBe(true);
    for (const id of ids) {
      expect(w.sim.control.orders("square").filter((o) => o.reference === orderReference(id))).toHaveLength(1);
    }
    const [closed] = await listPosConnectionStatuses(w.t.redis, w.t.config.REDIS_PREFIX, 1, ["square"]);
    expect(closed?.state).toBe("closed");
  });
});
