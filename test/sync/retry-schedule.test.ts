import { afterAll, beforeAll, expect, it, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import { orders, payments } from "../../db/schema";
import { decodeEnvelope } from "../../src/queue/envelope";
import { toScoredMembers } from "../../src/redis/replies";
import { FAST_BREAKER, FAST_WORKER, TIME_SCALE } from "./timing";
import { createSyncWorld, eventually, placeOrder, type SyncWorld } from "./world";

// The worker's clock stands still: a retry's due time is exactly "now" plus its backoff, and
// nothing becomes due, so every job waits in the delayed set for the test to read.
const T0 = Date.UTC(2026, 5, 1);

setDefaultTimeout(30_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await createSyncWorld({ square: { errorRate: 1 } });
  await w.startRuntime({
    worker: { ...FAST_WORKER, clock: { now: () => T0 } },
    breaker: { ...FAST_BREAKER, failureThreshold: 1_000 },
    scheduler: false,
  });
}, 120_000);
afterAll(() => w.close());

/** Job name → ms between the worker's "now" and the due time of its retry, from the delayed ZSET. */
async function retryDelays(): Promise<Map<string, number>> {
  const keys = w.runtime!.queue.keys.shard(0);
  const scored = toScoredMembers(await w.t.redis.send("ZRANGE", [keys.delayed, "0", "-1", "WITHSCORES"]));
  const delays = new Map<string, number>();
  for (const [id, dueAt] of scored) {
    const stored = String(await w.t.redis.send("HGET", [keys.delayedJobs, id]));
    const envelope = decodeEnvelope(stored.slice(stored.indexOf("\n") + 1));
    if (envelope && envelope.attempts === 1) delays.set(envelope.name, dueAt - T0);
  }
  return delays;
}

it("schedules each sync job's first retry its first backoff after the failure, in the delayed set", async () => {
  const runtime = w.runtime!;
  // Restaurant 1 is on Square, which fails every call here.
  await placeOrder(w.t, 1);
  const [synced] = await w.t.db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.restaurantId, 1), eq(orders.posSyncState, "synced")))
    .limit(1);
  const [payment] = await w.t.db
    .insert(payments)
    .values({ orderId: synced!.id, restaurantId: 1, status: "captured", amountCents: 1, method: "card" })
    .returning({ id: payments.id });
  await runtime.queue.dispatch(runtime.jobs.orderStatusSyncFromPos, { orderId: synced!.id, restaurantId: 1 });
  await runtime.queue.dispatch(runtime.jobs.paymentSyncToPos, { paymentId: payment!.id, restaurantId: 1 });
  await runtime.queue.dispatch(runtime.jobs.inventoryUpdateFromPos, { restaurantId: 1 });
  await runtime.queue.dispatch(runtime.jobs.menuSyncFromPos, { restaurantId: 1 });

  expect(await eventually(async () => (await retryDelays()).size === 5)).toBe(true);
  const ms = (seconds: number) => Math.round(seconds * 1000 * TIME_SCALE);
  expect(Object.fromEntries(await retryDelays())).toEqual({
    OrderSyncToPOS: ms(60),
    OrderStatusSyncFromPOS: ms(60),
    PaymentSyncToPOS: ms(60),
    InventoryUpdateFromPOS: ms(300),
    MenuSyncFromPOS: ms(300),
  });
});
