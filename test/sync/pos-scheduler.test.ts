import { afterAll, beforeAll, expect, it } from "bun:test";
import { asc, eq, inArray } from "drizzle-orm";
import { orders } from "../../db/schema";
import { createLogger } from "../../src/logger";
import { Queue } from "../../src/queue/queue";
import { PosDispatcher } from "../../src/services/pos-sync/pos-dispatch";
import { startPosScheduler } from "../../workers/pos-scheduler";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(() => t.close());

it("pulls inventory and menus once per period per connection, however many workers tick", async () => {
  const queue = new Queue({ redis: t.redis, prefix: t.config.REDIS_PREFIX });
  const options = {
    db: t.db,
    redis: t.redis,
    prefix: t.config.REDIS_PREFIX,
    queue,
    dispatcher: new PosDispatcher(t.db, queue, createLogger("silent")),
    logger: createLogger("silent"),
    // Only manual ticks in this test.
    tickMs: 3_600_000,
    inventoryEveryMs: 300_000,
    menuEveryMs: 86_400_000,
  };
  const workers = [startPosScheduler(options), startPosScheduler(options), startPosScheduler(options)];
  const now = Date.UTC(2026, 10, 27, 12, 0, 0);
  await Promise.all(workers.map((w) => w.tick(now)));
  await Promise.all(workers.map((w) => w.tick(now + 60_000)));
  const streams = queue.keys.shard(0);
  // Three POS connections: one inventory pull each (default queue), one menu pull each (low queue).
  expect(Number(await t.redis.send("XLEN", [streams.stream("default")]))).toBe(3);
  expect(Number(await t.redis.send("XLEN", [streams.stream("low")]))).toBe(3);

  // The next period claims new slots, but a pull still waiting is not stacked behind itself.
  await Promise.all(workers.map((w) => w.tick(now + 300_000)));
  expect(Number(await t.redis.send("XLEN", [streams.stream("default")]))).toBe(3);
  expect(Number(await t.redis.send("XLEN", [streams.stream("low")]))).toBe(3);
  const slots = await t.redis.send("EXISTS", [
    `${t.config.REDIS_PREFIX}:schedule:inventory:1:${Math.floor((now + 300_000) / 300_000)}`,
  ]);
  expect(Number(slots)).toBe(1);
  for (const w of workers) w.stop();
});

it("hands new pending orders to the queue even behind many long-queued ones", async () => {
  const queue = new Queue({ redis: t.redis, prefix: `${t.config.REDIS_PREFIX}sweep` });
  const dispatcher = new PosDispatcher(t.db, queue, createLogger("silent"));
  const now = Date.now();
  const old = await t.db.select({ id: orders.id }).from(orders).orderBy(asc(orders.id)).limit(601);
  const [fresh, ...stale] = old.map((o) => o.id);
  await t.db
    .update(orders)
    .set({ posSyncState: "queued", posQueuedAt: new Date(now - 4 * 3_600_000) })
    .where(inArray(orders.id, stale));
  await t.db
    .update(orders)
    .set({ posSyncState: "pending", createdAt: new Date(now - 60_000) })
    .where(eq(orders.id, fresh!));

  const first = await dispatcher.sweep(now);
  expect(first.orders).toBe(1);
  expect(first.requeued).toBe(500);
  const [row] = await t.db.select({ state: orders.posSyncState }).from(orders).where(eq(orders.id, fresh!));
  expect(row?.state).toBe("queued");
  // The re-dispatched rows wait another period; the rest come next.
  expect((await dispatcher.sweep(now)).requeued).toBe(100);
  expect((await dispatcher.sweep(now)).requeued).toBe(0);
});

it("dispatches a cancellation the request could not hand to the queue, once", async () => {
  const queue = new Queue({ redis: t.redis, prefix: `${t.config.REDIS_PREFIX}cancels` });
  const dispatcher = new PosDispatcher(t.db, queue, createLogger("silent"));
  const now = Date.now();
  const [order] = await t.db.select({ id: orders.id }).from(orders).orderBy(asc(orders.id)).limit(1);
  // Cancelled a minute ago, while Redis was down: the row still says `pending`.
  await t.db
    .update(orders)
    .set({ status: "cancelled", cancelledAt: new Date(now - 60_000), posCancelState: "pending" })
    .where(eq(orders.id, order!.id));
  expect((await dispatcher.sweep(now)).cancels).toBe(1);
  const [row] = await t.db.select({ state: orders.posCancelState }).from(orders).where(eq(orders.id, order!.id));
  expect(row?.state).toBe("queued");
  expect((await dispatcher.sweep(now)).cancels).toBe(0);
  const jobs = await t.redis.send("XRANGE", [queue.keys.shard(0).stream("high"), "-", "+"]);
  expect(JSON.stringify(jobs)).toContain("OrderCancelToPOS");
});
