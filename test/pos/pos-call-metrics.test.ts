import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { POS_CALL_BOUNDS_S, PosCallMetrics } from "../../src/pos/pos-call-metrics";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { PosType } from "../../src/pos/types";
import { connectionFor, orderInput } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  sim = await startPosSimulator({ randomSeed: 7 });
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim.stop());

const adapter = (vendor: PosType, metrics: PosCallMetrics, timeoutMs?: number) =>
  createPosAdapter({ connection: connectionFor(vendor, sim.baseUrl(vendor)), metrics, timeoutMs });

const settle = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    () => "failed",
  );

describe("POS call metrics", () => {
  it("times every exchange per vendor, slow ones in the right bucket", async () => {
    const metrics = new PosCallMetrics();
    sim.control.setFaults("local", { latencyMs: 120 });
    expect(await settle(adapter("local", metrics).createOrder(orderInput()))).toBe("ok");
    await adapter("square", metrics).healthCheck();
    const local = metrics.latency().find((l) => l.vendor === "local")!;
    expect(local.buckets.reduce((a, b) => a + b, 0)).toBe(1);
    expect(local.sum).toBeGreaterThanOrEqual(0.12);
    // Nothing at or under 100 ms: the call took at least 120.
    const under100 = POS_CALL_BOUNDS_S.indexOf(0.1);
    expect(local.buckets.slice(0, under100 + 1).every((n) => n === 0)).toBe(true);
    expect(
      metrics
        .latency()
        .find((l) => l.vendor === "square")
        ?.buckets.reduce((a, b) => a + b, 0),
    ).toBe(1);
    expect(metrics.errors()).toEqual([]);
  });

  it("counts errors by vendor and reason: 500s, timeouts, and each try of an inline retry", async () => {
    const metrics = new PosCallMetrics();
    sim.control.setFaults("square", { errorRate: 1 });
    expect(await settle(adapter("square", metrics).fetchInventory())).toBe("failed");
    sim.control.setFaults("toast", { hangRate: 1 });
    expect(await settle(adapter("toast", metrics, 100).healthCheck())).toBe("failed");
    sim.control.setFaults("local", { rateLimit: { remaining: 1, retryAfterSeconds: 0.05 } });
    expect(await settle(adapter("local", metrics).createOrder(orderInput()))).toBe("ok");
    const errors = metrics.errors().sort((a, b) => a.vendor.localeCompare(b.vendor));
    expect(errors).toEqual([
      { vendor: "local", reason: "rate_limited", count: 1 },
      { vendor: "square", reason: "server", count: 1 },
      { vendor: "toast", reason: "timeout", count: 1 },
    ]);
    // The 429 and the retry that succeeded are two exchanges.
    expect(
      metrics
        .latency()
        .find((l) => l.vendor === "local")!
        .buckets.reduce((a, b) => a + b, 0),
    ).toBe(2);
  });
});
