import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PosCircuitBreaker } from "../../src/pos/circuit-breaker";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { JobTimeoutError, NonRetryableError } from "../../src/queue/errors";
import type { JobContext } from "../../src/queue/job";
import type { RedisConnection } from "../../src/redis/types";
import { type ActiveConnection, callPos, createPosJobDeps } from "../../workers/jobs/pos-job-deps";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

let redis: RedisConnection;
let sim: PosSimulator;
const prefix = uniquePrefix("callpos");

beforeAll(async () => {
  redis = await testRedis();
  sim = await startPosSimulator({ randomSeed: 3 });
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.close();
  await sim.stop();
});

function world(restaurantId: number, accessToken = "token-ok") {
  const breaker = new PosCircuitBreaker({
    redis,
    prefix,
    restaurantId,
    posType: "local",
    settings: { failureThreshold: 2, cooldownMs: 100, probeTimeoutMs: 5_000 },
  });
  const deps = createPosJobDeps({
    db: {} as never,
    breakerFor: () => breaker,
    invalidateMenu: async () => {},
    timeoutMs: 2_000,
  });
  const connection: ActiveConnection = {
    id: restaurantId,
    restaurantId,
    posType: "local",
    baseUrl: sim.baseUrl("local"),
    locationRef: `store-${restaurantId}`,
    credentials: { accessToken },
  };
  return { breaker, deps, connection };
}

function context(signal: AbortSignal) {
  const released: number[] = [];
  const ctx: JobContext = {
    jobId: "job-1",
    attempt: 1,
    signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    release: (seconds) => released.push(seconds),
    extendClaim: async () => true,
  };
  return { ctx, released };
}

describe("calling a POS from a job", () => {
  it("counts the job's own timeout as a POS outage and lets the job retry", async () => {
    const { breaker, deps, connection } = world(101);
    sim.control.setFaults("local", { hangRate: 1 });
    const { ctx } = context(AbortSignal.abort(new JobTimeoutError(1)));
    const error = await callPos(deps, ctx, connection, (a) => a.fetchInventory({ signal: ctx.signal })).catch((e) => e);
    sim.control.clearFaults("local");
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect((await breaker.status()).failures).toBe(1);
  });

  it("does not release an attempt that timed out, even when its failure opens the breaker", async () => {
    const { breaker, deps, connection } = world(105);
    await breaker.recordFailure(new Error("down"));
    sim.control.setFaults("local", { hangRate: 1 });
    const { ctx, released } = context(AbortSignal.abort(new JobTimeoutError(1)));
    const error = await callPos(deps, ctx, connection, (a) => a.fetchInventory({ signal: ctx.signal })).catch((e) => e);
    sim.control.clearFaults("local");
    expect((await breaker.status()).state).toBe("open");
    expect(released).toEqual([]);
    expect(error).toBeInstanceOf(JobTimeoutError);
  });

  it("records nothing on the breaker when the worker is shutting down", async () => {
    const { breaker, deps, connection } = world(102);
    sim.control.setFaults("local", { hangRate: 1 });
    const { ctx } = context(AbortSignal.abort(new Error("worker stopped")));
    const error = await callPos(deps, ctx, connection, (a) => a.fetchInventory({ signal: ctx.signal })).catch((e) => e);
    sim.control.clearFaults("local");
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect((await breaker.status()).failures).toBe(0);
  });

  it("fails at once on a refusal, and a refused probe closes the breaker: the POS is up", async () => {
    // The simulated POS refuses a request without a token (401).
    const { breaker, deps, connection } = world(103, "");
    await breaker.recordFailure(new Error("down"));
    await breaker.recordFailure(new Error("down"));
    expect((await breaker.status()).state).toBe("open");
    await Bun.sleep(150);
    const { ctx, released } = context(new AbortController().signal);
    const error = await callPos(deps, ctx, connection, (a) => a.fetchInventory({ signal: ctx.signal })).catch((e) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(released).toEqual([]);
    expect((await breaker.status()).state).toBe("closed");
  });

  it("releases instead of calling while the breaker is open", async () => {
    const { breaker, deps, connection } = world(104);
    await breaker.recordFailure(new Error("down"));
    await breaker.recordFailure(new Error("down"));
    const { ctx, released } = context(new AbortController().signal);
    let called = false;
    const result = await callPos(deps, ctx, connection, async () => {
      called = true;
    });
    expect(result.released).toBe(true);
    expect(called).toBe(false);
    expect(released).toHaveLength(1);
  });
});
