import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { isPosOutage, PosRetryableError } from "../../src/pos/errors";
import { parseRetryAfter } from "../../src/pos/http";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { PosAdapter, PosType } from "../../src/pos/types";
import { connectionFor, orderInput } from "./pos-fixtures";

let sim: PosSimulator;

beforeAll(async () => {
  sim = await startPosSimulator({ randomSeed: 42 });
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim.stop());

function adapterFor(vendor: PosType, options: { timeoutMs?: number; maxInlineRetryAfterMs?: number } = {}): PosAdapter {
  return createPosAdapter({ connection: connectionFor(vendor, sim.baseUrl(vendor)), ...options });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

describe("POS calls under faults", () => {
  it("aborts a hanging request at the adapter's timeout and calls it a retryable timeout", async () => {
    sim.control.setFaults("square", { hangRate: 1 });
    const started = performance.now();
    const error = await failure(adapterFor("square", { timeoutMs: 150 }).createOrder(orderInput()));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(PosRetryableError);
    expect(error).toMatchObject({ reason: "timeout" });
    expect(isPosOutage(error)).toBe(true);
  });

  it("gives a caller's abort back as the caller's reason, not as a POS failure", async () => {
    sim.control.setFaults("local", { hangRate: 1 });
    const controller = new AbortController();
    const reason = new Error("job timed out");
    setTimeout(() => controller.abort(reason), 50);
    const error = await failure(
      adapterFor("local", { timeoutMs: 5_000 }).createOrder(orderInput(), { signal: controller.signal }),
    );
    expect(error).toBe(reason);
  });

  it("waits out a short Retry-After inline and succeeds", async () => {
    sim.control.setFaults("local", { rateLimit: { remaining: 1, retryAfterSeconds: 0.2 } });
    const started = performance.now();
    const order = await adapterFor("local", { maxInlineRetryAfterMs: 1_000 }).createOrder(orderInput());
    expect(order.status).toBe("accepted");
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("surfaces a long Retry-After on a retryable rate-limit error instead of waiting", async () => {
    sim.control.setFaults("toast", { rateLimit: { remaining: 5, retryAfterSeconds: 30 } });
    const error = await failure(adapterFor("toast").healthCheck());
    expect(error).toBeInstanceOf(PosRetryableError);
    expect(error).toMatchObject({ reason: "rate_limited", status: 429, retryAfterMs: 30_000 });
  });

  it("reports an outage window as a retryable 503 carrying the time left", async () => {
    sim.control.outage("square", 10_000);
    const error = await failure(adapterFor("square", { maxInlineRetryAfterMs: 0 }).fetchCatalog());
    expect(error).toMatchObject({ reason: "server", status: 503, code: "SERVICE_UNAVAILABLE", retryable: true });
    expect((error as PosRetryableError).retryAfterMs).toBeGreaterThan(8_000);
  });

  it("classifies a 500 as retryable with the vendor's code", async () => {
    sim.control.setFaults("square", { errorRate: 1 });
    const error = await failure(adapterFor("square").fetchInventory());
    expect(error).toMatchObject({ reason: "server", status: 500, code: "INTERNAL_SERVER_ERROR", retryable: true });
  });

  it("classifies a refused connection as a retryable network error", async () => {
    const closed = await startPosSimulator();
    const url = closed.baseUrl("local");
    await closed.stop();
    const adapter = createPosAdapter({ connection: connectionFor("local", url) });
    const error = await failure(adapter.healthCheck());
    expect(error).toMatchObject({ reason: "network", retryable: true });
  });

  it("creates one POS order per our order when answers are lost after the work was done", async () => {
    for (const vendor of ["square", "toast", "local"] as const) {
      sim.control.setFaults(vendor, { failAfterCommitRate: 0.5, errorRate: 0.2 });
      const adapter = adapterFor(vendor);
      const inputs = Array.from({ length: 20 }, () => orderInput());
      for (const input of inputs) {
        // What the queue does, squeezed: try again until the POS answers.
        for (let attempt = 0; ; attempt++) {
          const result = await adapter.createOrder(input).catch((e: unknown) => e);
          if (!(result instanceof PosRetryableError)) break;
          if (attempt > 50) throw new Error("never succeeded");
        }
      }
      const keys = new Set(inputs.map((i) => `foodhub-order-${i.orderId}`));
      const created = sim.control.orders(vendor).filter((o) => o.idempotencyKey !== null && keys.has(o.idempotencyKey));
      expect(created).toHaveLength(inputs.length);
      expect(sim.control.counts()[vendor].faults).toBeGreaterThan(0);
    }
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
