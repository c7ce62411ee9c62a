import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { inventoryAlerts, menuCategories, menuItems, payments } from "../../db/schema";
import { simulatorSeedFromDatabase } from "../../src/pos/simulator/seed-from-database";
import { QueueMonitor } from "../../src/queue/monitor";
import { PostgresFailedJobStore } from "../../src/services/monitoring/failed-job-store";
import { POS_JOB_CONTRACTS } from "../../src/sync/pos-job-contracts";
import { MIN_SCALED_TIMEOUT_SECONDS } from "../../workers/jobs/pos-jobs";
import { TIME_SCALE } from "./timing";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, stockedItem } from "./world";

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld();
  await w.startRuntime();
}, 120_000);
afterAll(() => w.close());

describe("the seven POS jobs", () => {
  setDefaultTimeout(30_000);

  it("carry the queue, tries, backoff and timeout of the design table", () => {
    const table = POS_JOB_CONTRACTS.map((j) => [
      j.name,
      j.queue,
      j.tries,
      j.backoff.join(","),
      j.timeout,
      j.deleteWhenMissingModels,
    ]);
    expect(table).toEqual([
      ["OrderSyncToPOS", "high", 5, "60,180,300,600,1200", 120, true],
      ["OrderCancelToPOS", "high", 5, "60,180,300,600,1200", 120, true],
      ["OrderStatusSyncFromPOS", "high", 5, "60,180,300,600,1200", 120, true],
      ["PaymentSyncToPOS", "default", 5, "60,180,300,600,1200", 120, true],
      ["RefundSyncToPOS", "default", 5, "60,180,300,600,1200", 120, true],
      ["InventoryUpdateFromPOS", "default", 3, "300,900,1800", 120, true],
      ["MenuSyncFromPOS", "low", 3, "300,900,1800", 300, true],
    ]);
  });

  it("are what the worker runs, with its clock compressed (timeouts down to a floor) and nothing else changed", () => {
    const running = w.runtime!.jobs.all.map((j) => [j.name, j.queue, j.tries, j.backoff, j.timeout]);
    expect(running).toEqual(
      POS_JOB_CONTRACTS.map((c) => [
        c.name,
        c.queue,
        c.tries,
        c.backoff.map((s) => s * TIME_SCALE),
        Math.max(c.timeout * TIME_SCALE, MIN_SCALED_TIMEOUT_SECONDS),
      ]),
    );
  });

  it("drops a job whose order no longer exists instead of failing it", async () => {
    const runtime = w.runtime!;
    const jobId = await runtime.queue.dispatch(runtime.jobs.orderSyncToPos, { orderId: 987_654, restaurantId: 1 });
    expect(jobId).not.toBeNull();
    const monitor = new QueueMonitor({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX });
    const gone = await eventually(async () => (await monitor.job(jobId!)) === null && (await pendingCount()) === 0);
    expect(gone).toBe(true);
    expect(await new PostgresFailedJobStore(w.t.db).get(jobId!)).toBeNull();
    expect(w.sim.control.orders("square").some((o) => o.reference === "FOODHUB-987654")).toBe(false);
  });

  it("lets a payment wait for its order without using its tries", async () => {
    const runtime = w.runtime!;
    await runtime.queue.pause("high");
    // Workers learn of a pause on their next promotion tick.
    await Bun.sleep(300);
    const orderId = await placeOrder(w.t, 2);
    // Cash taken at the counter, recorded by the restaurant's owner.
    const owner = await w.t.tokenFor("owner2@demo.test");
    const paid = await w.t.call("POST", `/v1/orders/${orderId}/payments`, {
      token: owner,
      headers: { "idempotency-key": `wait-${orderId}` },
      body: { method: "cash" },
    });
    expect(paid.status).toBe(201);
    // Far longer than five tries of released attempts would take.
    await Bun.sleep(800);
    const [waiting] = await w.t.db
      .select({ state: payments.posSyncState })
      .from(payments)
      .where(eq(payments.id, paid.body.payment.id));
    expect(waiting?.state).toBe("queued");
    await runtime.queue.resume("high");
    const synced = await eventually(async () => {
      const [row] = await w.t.db
        .select({ state: payments.posSyncState })
        .from(payments)
        .where(eq(payments.id, paid.body.payment.id));
      return row?.state === "synced";
    });
    expect(synced).toBe(true);
    expect(
      w.sim.control.payments("toast").filter((p) => p.idempotencyKey?.includes(String(paid.body.payment.id))),
    ).toHaveLength(1);
  });

  it("leaves the menu as it is when the POS menu has not changed", async () => {
    const snapshot = async (restaurantId: number) =>
      w.t.db
        .select({
          id: menuItems.id,
          name: menuItems.name,
          priceCents: menuItems.priceCents,
          available: menuItems.available,
          categoryId: menuItems.categoryId,
          branchId: menuItems.branchId,
        })
        .from(menuItems)
        .where(eq(menuItems.restaurantId, restaurantId))
        .orderBy(asc(menuItems.id));
    const runtime = w.runtime!;
    for (const restaurantId of [1, 2]) {
      const before = await snapshot(restaurantId);
      const jobId = await runtime.queue.dispatch(runtime.jobs.menuSyncFromPos, { restaurantId });
      const monitor = new QueueMonitor({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX });
      expect(await eventually(async () => (await monitor.job(jobId!)) === null)).toBe(true);
      expect(await snapshot(restaurantId)).toEqual(before);
    }
  });

  it("mirrors the POS menu: upserts, removes what the POS dropped, and refreshes the cached menu", async () => {
    const before = await w.t.call("GET", "/v1/restaurants/3/menu"); // primes the cache
    const [kept, dropped] = await w.t.db
      .select({ id: menuItems.id, posId: menuItems.posExternalId, name: menuItems.name })
      .from(menuItems)
      .where(eq(menuItems.restaurantId, 3))
      .orderBy(asc(menuItems.id))
      .limit(2);
    const [category] = await w.t.db
      .select({ id: menuCategories.id })
      .from(menuCategories)
      .where(eq(menuCategories.restaurantId, 3))
      .limit(1);
    const [neverOrdered] = await w.t.db
      .insert(menuItems)
      .values({
        restaurantId: 3,
        categoryId: category!.id,
        name: "Ghost bowl",
        priceCents: 999,
        posExternalId: "local-ghost",
      })
      .returning({ id: menuItems.id });

    const seed = (await simulatorSeedFromDatabase(w.t.db)).find((s) => s.vendor === "local")!;
    const catalog = seed.catalog!;
    const items = catalog.items
      .filter((i) => i.posExternalId !== dropped!.posId && i.posExternalId !== "local-ghost")
      .map((i) => (i.posExternalId === kept!.posId ? { ...i, priceCents: 4321, name: `${kept!.name} (new)` } : i));
    items.push({ ...items[0]!, posExternalId: "local-brand-new", name: "Brand new dish", priceCents: 1234 });
    w.sim.control.seed({ vendor: "local", tenant: seed.tenant, catalog: { categories: catalog.categories, items } });

    const admin = await w.t.tokenFor("admin@demo.test");
    const queued = await w.t.call("POST", "/v1/restaurants/3/pos/sync-menu", { token: admin });
    expect(queued.status).toBe(202);
    const applied = await eventually(async () => {
      const [row] = await w.t.db
        .select({ price: menuItems.priceCents })
        .from(menuItems)
        .where(eq(menuItems.id, kept!.id));
      return row?.price === 4321;
    });
    expect(applied).toBe(true);
    const after = await eventually(async () => {
      const menu = await w.t.call("GET", "/v1/restaurants/3/menu");
      const all = menu.body.categories.flatMap(
        (c: { items: Array<{ id: number; name: string; priceCents: number }> }) => c.items,
      );
      return (
        all.some((i: { name: string }) => i.name === "Brand new dish") &&
        all.find((i: { id: number }) => i.id === kept!.id)?.priceCents === 4321
      );
    });
    expect(after).toBe(true);
    expect(before.status).toBe(200);
    const [ghost] = await w.t.db.select({ id: menuItems.id }).from(menuItems).where(eq(menuItems.id, neverOrdered!.id));
    expect(ghost).toBeUndefined();
    const [retired] = await w.t.db
      .select({ available: menuItems.available })
      .from(menuItems)
      .where(eq(menuItems.id, dropped!.id));
    // It was ordered before, so history keeps it; it is no longer on sale.
    expect(retired?.available).toBe(false);
  });

  it("refuses a menu sync for a restaurant without a POS, and hides others' restaurants", async () => {
    const admin = await w.t.tokenFor("admin@demo.test");
    const none = await w.t.call("POST", "/v1/restaurants/4/pos/sync-menu", { token: admin });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe("no_pos_connection");
    const owner2 = await w.t.tokenFor("owner2@demo.test");
    expect((await w.t.call("POST", "/v1/restaurants/1/pos/sync-menu", { token: owner2 })).status).toBe(404);
    const staff = await w.t.tokenFor("staff@demo.test");
    expect((await w.t.call("POST", "/v1/restaurants/1/pos/sync-menu", { token: staff })).status).toBe(403);
  });

  it("pulls stock into the main branch and records an alert when a level drops below its threshold", async () => {
    const level = await stockedItem(w);
    level.setPosStock(1);

    const runtime = w.runtime!;
    await runtime.queue.dispatch(runtime.jobs.inventoryUpdateFromPos, { restaurantId: 1 });
    const alerted = await eventually(async () => {
      const rows = await w.t.db
        .select({ quantity: inventoryAlerts.quantity })
        .from(inventoryAlerts)
        .where(eq(inventoryAlerts.menuItemId, level.itemId));
      return rows.length === 1 && rows[0]!.quantity === 1;
    });
    expect(alerted).toBe(true);
    expect(await level.quantity()).toBe(1);
  });
});

async function pendingCount(): Promise<number> {
  const runtime = w.runtime!;
  const summary = (await w.t.redis.send("XPENDING", [
    runtime.queue.keys.shard(0).stream("high"),
    runtime.queue.keys.group,
  ])) as unknown[];
  return Number(summary[0]);
}
