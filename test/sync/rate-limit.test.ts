import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { failedJobs, posConnections } from "../../db/schema";
import { createLogger } from "../../src/logger";
import { orderReference } from "../../src/pos/idempotency";
import { posKeys } from "../../src/pos/pos-keys";
import { type PosRuntime, startPosRuntime } from "../../workers/pos-runtime";
import { FAST_BREAKER, FAST_WORKER } from "./timing";
import { createSyncWorld, eventually, placeOrder, type SyncWorld, unsynced } from "./world";

let w: SyncWorld;
const runtimes: PosRuntime[] = [];

beforeAll(async () => {
  w = await createSyncWorld();
}, 120_000);
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await w.close();
});

/** Worker processes' worth of runtimes on one Redis and database; real time (no scaling). */
async function startWorkers(count: number, concurrency: number, settings: Record<string, number>) {
  for (let i = 0; i < count; i++) {
    runtimes.push(
      await startPosRuntime({
        config: { ...w.t.config, ...settings },
        db: w.t.db,
        redis: w.t.redis,
        logger: createLogger("silent"),
        breaker: FAST_BREAKER,
        worker: { ...FAST_WORKER, concurrency },
        scheduler: false,
        statusIntervalMs: 0,
      }),
    );
  }
}

const failedCount = async () => {
  const [row] = await w.t.db.select({ n: sql<number>`count(*)::int` }).from(failedJobs);
  return row?.n ?? 0;
};

describe("POS rate limits and backpressure", () => {
  it("keeps 4 workers × concurrency 50 under the POS's own limit, and no job fails for it", async () => {
    // The simulated Square enforces 20 requests a second per seller (429 above). We allow 10 a
    // second (the vendor default, configured) in bursts of 5 (the connection's own setting): the
    // margin absorbs the jitter of a loaded machine between our send and the POS's count.
    w.sim.control.setFaults("square", { requestLimit: { perSecond: 20, burst: 20 } });
    await w.t.db.update(posConnections).set({ rateLimitBurst: 5 }).where(eq(posConnections.restaurantId, 1));
    const ids: number[] = [];
    for (let i = 0; i < 90; i++) ids.push(await placeOrder(w.t, 1));
    const started = Date.now();
    await startWorkers(4, 50, { POS_RATE_LIMIT_SQUARE_PER_SECOND: 10, POS_RATE_LIMIT_MAX_WAIT_MS: 2_000 });
    expect(await eventually(async () => (await unsynced(w.t, ids)) === 0, 60_000, 200)).toBe(true);
    const elapsedMs = Date.now() - started;

    const counts = w.sim.control.counts().square;
    expect(counts.throttled).toBe(0);
    expect(await failedCount()).toBe(0);
    for (const id of ids) {
      expect(w.sim.control.orders("square").filter((o) => o.reference === orderReference(id))).toHaveLength(1);
    }
    // 90 calls at 10 a second after a burst of 5 take at least 8.5 s: the limit, not luck, kept us under.
    expect(elapsedMs).toBeGreaterThan(8_000);
    const released = runtimes.reduce((sum, r) => sum + r.worker.info().released, 0);
    expect(released).toBeGreaterThan(0);
  }, 120_000);

  it("proves the simulator does refuse a burst over its limit (the check above can fail)", async () => {
    w.sim.control.reset();
    w.sim.control.setFaults("square", { requestLimit: { perSecond: 20, burst: 20 } });
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${w.sim.baseUrl("square")}/v2/locations/L1`, { headers: { authorization: "Bearer seller-x" } }),
      ),
    );
    expect(responses.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(responses.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("1");
    expect(w.sim.control.counts().square.throttled).toBeGreaterThan(0);
    w.sim.control.clearFaults("square");
  });

  it("pauses only the connection that answered 429, for its Retry-After, and releases the job", async () => {
    w.sim.control.clearFaults();
    // Square answers the next call with 429 Retry-After 3; the local POS is fine.
    w.sim.control.setFaults("square", { rateLimit: { remaining: 1, retryAfterSeconds: 3 } });
    const releasedBefore = runtimes.reduce((sum, r) => sum + r.worker.info().released, 0);
    const paused = await placeOrder(w.t, 1);
    const pauseKey = posKeys(w.t.config.REDIS_PREFIX).rateLimit(1, "square");
    expect(
      await eventually(async () => (await w.t.redis.send("HGET", [pauseKey, "pausedUntil"])) !== null, 10_000),
    ).toBe(true);
    const pausedAt = Date.now();
    const other = await placeOrder(w.t, 3);
    expect(await eventually(async () => (await unsynced(w.t, [other])) === 0, 10_000)).toBe(true);
    expect(await unsynced(w.t, [paused])).toBe(1);
    expect(await eventually(async () => (await unsynced(w.t, [paused])) === 0, 20_000)).toBe(true);
    // Not before the pause ended (3 s from the 429; a little slack for when we saw it).
    expect(Date.now() - pausedAt).toBeGreaterThan(2_000);
    expect(await failedCount()).toBe(0);
    const releasedAfter = runtimes.reduce((sum, r) => sum + r.worker.info().released, 0);
    expect(releasedAfter).toBeGreaterThan(releasedBefore);
    expect(w.sim.control.orders("square").filter((o) => o.reference === orderReference(paused))).toHaveLength(1);
  }, 60_000);
});
