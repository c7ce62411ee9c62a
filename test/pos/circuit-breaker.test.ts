import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import {
  listPosConnectionStatuses,
  PosCircuitBreaker,
  type PosCircuitBreakerOptions,
} from "../../src/pos/circuit-breaker";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { PosNotFoundError, PosRetryableError } from "../../src/pos/errors";
import { posKeys } from "../../src/pos/pos-keys";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { RedisConnection } from "../../src/redis/types";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { connectionFor } from "./pos-fixtures";

let workerA: RedisConnection;
let workerB: RedisConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  // Two connections stand for two worker processes sharing the breaker.
  workerA = await testRedis();
  workerB = await testRedis();
});
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeys(workerA, prefix);
});
afterAll(() => {
  workerA.close();
  workerB.close();
});

const outage = () => new PosRetryableError({ posType: "square", reason: "server", status: 503, message: "down" });

function pair(settings: PosCircuitBreakerOptions["settings"] = {}) {
  const prefix = uniquePrefix("breaker");
  prefixes.push(prefix);
  const options = {
    prefix,
    restaurantId: 7,
    posType: "square" as const,
    settings: { failureThreshold: 3, cooldownMs: 200, ...settings },
  };
  return {
    prefix,
    a: new PosCircuitBreaker({ ...options, redis: workerA }),
    b: new PosCircuitBreaker({ ...options, redis: workerB }),
  };
}

describe("PosCircuitBreaker shared through Redis", () => {
  it("opens for every worker after the threshold of consecutive failures", async () => {
    const { a, b } = pair();
    expect(await a.canCall()).toEqual({ allowed: true });
    await a.recordFailure(outage());
    await b.recordFailure(outage());
    expect((await b.status()).state).toBe("closed");
    const opened = await a.recordFailure(outage());
    expect(opened).toMatchObject({ state: "open", failures: 3, lastError: expect.stringContaining("down") });

    const refused = await b.canCall();
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.allowed === false && refused.retryAfterMs).toBeLessThanOrEqual(200);
  });

  it("lets exactly one probe through after the cool-down and closes on its success", async () => {
    const { a, b } = pair();
    for (let i = 0; i < 3; i++) await a.recordFailure(outage());
    await Bun.sleep(220);
    const permissions = await Promise.all([a.canCall(), b.canCall(), a.canCall(), b.canCall()]);
    expect(permissions.filter((p) => p.allowed)).toHaveLength(1);
    expect((await b.status()).state).toBe("half_open");

    const closed = await b.recordSuccess();
    expect(closed).toMatchObject({ state: "closed", failures: 0, openedAt: null });
    expect(closed.lastSuccessAt).toBeGreaterThan(0);
    expect(await a.canCall()).toEqual({ allowed: true });
  });

  it("opens again when the probe fails", async () => {
    const { a, b } = pair();
    for (let i = 0; i < 3; i++) await a.recordFailure(outage());
    await Bun.sleep(220);
    expect((await b.canCall()).allowed).toBe(true);
    const reopened = await b.recordFailure(outage());
    expect(reopened.state).toBe("open");
    expect((await a.canCall()).allowed).toBe(false);
  });

  it("allows a new probe when the previous one never reported back", async () => {
    const { a, b } = pair({ probeTimeoutMs: 150 });
    for (let i = 0; i < 3; i++) await a.recordFailure(outage());
    await Bun.sleep(220);
    expect((await a.canCall()).allowed).toBe(true);
    expect((await b.canCall()).allowed).toBe(false);
    await Bun.sleep(170);
    expect((await b.canCall()).allowed).toBe(true);
  });

  it("treats a 4xx answer as proof the POS is up: the failure streak resets", async () => {
    const { a } = pair();
    await a.recordFailure(outage());
    await a.recordFailure(outage());
    await a.recordFailure(
      new PosNotFoundError({ posType: "square", reason: "not_found", status: 404, message: "no order" }),
    );
    await a.recordFailure(outage());
    expect(await a.status()).toMatchObject({ state: "closed", failures: 1 });
  });

  it("stores its state as the pos:connection cache entry with a 300 s TTL", async () => {
    const { a, prefix } = pair();
    await a.recordFailure(new Error("socket hang up"));
    const key = posKeys(prefix).connection(7, "square");
    expect(key).toBe(`${prefix}:pos:connection:7:square`);
    const ttl = Number(await workerB.send("TTL", [key]));
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    const stored = JSON.parse(String(await workerB.send("GET", [key])));
    expect(stored).toEqual({
      state: "closed",
      failures: 1,
      openedAt: null,
      probeStartedAt: null,
      lastError: "socket hang up",
      lastSuccessAt: null,
    });
  });

  it("lists a restaurant's statuses, closed where nothing was recorded", async () => {
    const { a, prefix } = pair({ failureThreshold: 1 });
    await a.recordFailure(outage());
    const statuses = await listPosConnectionStatuses(workerB, prefix, 7);
    expect(statuses.map((s) => [s.posType, s.state])).toEqual([
      ["square", "open"],
      ["toast", "closed"],
      ["local", "closed"],
    ]);
  });

  it("opens on a real POS outage and closes once the POS answers again", async () => {
    const sim: PosSimulator = await startPosSimulator();
    try {
      const { a, b } = pair({ cooldownMs: 100 });
      const adapter = createPosAdapter({
        connection: connectionFor("square", sim.baseUrl("square")),
        maxInlineRetryAfterMs: 0,
      });
      sim.control.outage("square", 300);
      for (let i = 0; i < 3; i++) {
        if (!(await a.canCall()).allowed) break;
        await adapter.healthCheck().then(
          () => a.recordSuccess(),
          (error: unknown) => a.recordFailure(error),
        );
      }
      expect((await b.status()).state).toBe("open");
      await Bun.sleep(350);
      expect((await b.canCall()).allowed).toBe(true);
      await adapter.healthCheck();
      expect((await b.recordSuccess()).state).toBe("closed");
    } finally {
      await sim.stop();
    }
  });
});
