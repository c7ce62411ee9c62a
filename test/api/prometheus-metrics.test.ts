import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { PosCircuitBreaker } from "../../src/pos/circuit-breaker";
import { parseInfo } from "../../src/redis/replies";
import { createTestApp, notInProcess, type TestApp, testRuntime } from "../support/app";
import { type MonitoringWorld, monitoringWorld, waitUntil } from "../support/monitoring-world";
import { checkHistogram, parsePrometheus, value } from "../support/prometheus";
import { promtoolCheckMetrics } from "../support/promtool";

let t: TestApp;
let world: MonitoringWorld;
let scrape: (token?: string) => Promise<Response>;

beforeAll(async () => {
  t = await createTestApp({ settings: { METRICS_TOKEN: "metrics-token-for-tests" } });
  world = await monitoringWorld(t);
  scrape = async (token) => t.request("/metrics", { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await world.waitingJob(1, 1);
  await world.waitingJob(2, 2);
  await world.failedJob(1);
  await world.failedJob(2);
  await t.request("/v1/restaurants/1/menu");
  await t.request("/v1/restaurants/1/menu");
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await t?.close();
});

describe("GET /metrics", () => {
  it.skipIf(notInProcess)("does not exist unless METRICS_TOKEN is configured", async () => {
    const app = createApp({
      config: { ...t.config, METRICS_TOKEN: undefined },
      db: t.db,
      redis: t.redis,
      logger: createLogger("silent"),
    });
    const res = await app.request("/metrics");
    expect(res.status).toBe(404);
  });

  it("wants the metrics token", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("wrong-token")).status).toBe(401);
    const admin = await t.tokenFor("admin@demo.test");
    expect((await scrape(admin)).status).toBe(401);
  });

  it("exposes queue depths, attempt counters, histograms, HTTP latency and cache counters", async () => {
    // The worker flushes its counts every 50 ms.
    const families = await waitUntil(async () => {
      const f = parsePrometheus(await (await scrape("metrics-token-for-tests")).text());
      return value(f.get("foodhub_queue_attempts_total"), "foodhub_queue_attempts_total", {
        queue: "low",
        outcome: "failed",
      }) === 2
        ? f
        : null;
    });
    const res = await scrape("metrics-token-for-tests");
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");

    const jobs = families.get("foodhub_queue_jobs");
    expect(jobs?.type).toBe("gauge");
    expect(value(jobs, "foodhub_queue_jobs", { queue: "high", state: "waiting" })).toBe(2);
    expect(value(jobs, "foodhub_queue_jobs", { queue: "low", state: "failed" })).toBe(2);
    expect(families.get("foodhub_queue_attempts_total")?.type).toBe("counter");

    for (const name of ["foodhub_queue_job_runtime_seconds", "foodhub_queue_job_wait_seconds"]) {
      const f = families.get(name)!;
      expect(f.type).toBe("histogram");
      expect(value(f, `${name}_count`, { queue: "low" })).toBe(2);
      checkHistogram(f);
    }

    const perJob = families.get("foodhub_job_attempts_total");
    expect(perJob?.type).toBe("counter");
    const menuSync = { queue: "low", job: "MenuSyncFromPOS" };
    expect(value(perJob, "foodhub_job_attempts_total", { ...menuSync, outcome: "failed" })).toBe(2);
    expect(value(perJob, "foodhub_job_attempts_total", { ...menuSync, outcome: "processed" })).toBe(0);
    // Every registered job has its series, whether it ran or not.
    expect(
      value(perJob, "foodhub_job_attempts_total", { queue: "high", job: "OrderSyncToPOS", outcome: "failed" }),
    ).toBe(0);
    for (const name of ["foodhub_job_runtime_seconds", "foodhub_job_wait_seconds"]) {
      const f = families.get(name)!;
      expect(f.type).toBe("histogram");
      expect(value(f, `${name}_count`, menuSync)).toBe(2);
      expect(value(f, `${name}_count`, { queue: "high", job: "OrderSyncToPOS" })).toBe(0);
      checkHistogram(f);
    }

    const http = families.get("foodhub_http_request_duration_seconds")!;
    expect(http.type).toBe("histogram");
    checkHistogram(http);
    const menuCount = value(http, "foodhub_http_request_duration_seconds_count", {
      method: "GET",
      route: "/v1/restaurants/:id/menu",
      status: "200",
    });
    expect(menuCount).toBe(2);

    const cache = families.get("foodhub_cache_requests_total")!;
    expect(cache.type).toBe("counter");
    const reads = cache.samples
      .filter((s) => s.labels.outcome === "hit" || s.labels.outcome === "miss")
      .reduce((n, s) => n + s.value, 0);
    expect(reads).toBeGreaterThanOrEqual(2);

    const workers = families.get("foodhub_queue_workers");
    expect(value(workers, "foodhub_queue_workers", { status: "alive" })).toBe(1);
  });
});

describe("GET /metrics for operations", () => {
  const scrapeText = async () => (await scrape("metrics-token-for-tests")).text();

  it("says which build and runtime serve it, with the conventional process metrics", async () => {
    const families = parsePrometheus(await scrapeText());
    const build = families.get("foodhub_build_info")!;
    expect(build.type).toBe("gauge");
    expect(build.samples).toHaveLength(1);
    expect(build.samples[0]!.value).toBe(1);
    expect(build.samples[0]!.labels.version).toBe(packageJson.version);
    expect(build.samples[0]!.labels.runtime).toBe(testRuntime);
    expect(build.samples[0]!.labels.commit).toMatch(/^([0-9a-f]{7,40}|unknown)$/);
    // Workers has no process to measure; Bun (and Deno) do.
    if (testRuntime === "workerd") return;
    const rss = families.get("process_resident_memory_bytes");
    expect(rss?.type).toBe("gauge");
    expect(rss!.samples[0]!.value).toBeGreaterThan(1_000_000);
    expect(families.get("process_cpu_seconds_total")?.type).toBe("counter");
    expect(families.get("process_cpu_seconds_total")!.samples[0]!.value).toBeGreaterThan(0);
    const started = families.get("process_start_time_seconds")!.samples[0]!.value;
    expect(started).toBeLessThanOrEqual(Date.now() / 1000);
    expect(started).toBeGreaterThan(Date.now() / 1000 - 24 * 3600);
    if (testRuntime === "bun") expect(Math.abs(started - (Date.now() / 1000 - process.uptime()))).toBeLessThan(2);
  });

  it("shows the breaker state of every active POS connection", async () => {
    const breaker = new PosCircuitBreaker({
      redis: t.redis,
      prefix: t.config.REDIS_PREFIX,
      restaurantId: 1,
      posType: "square",
      settings: { failureThreshold: 2 },
    });
    await breaker.recordFailure(new Error("POS down"));
    await breaker.recordFailure(new Error("POS down"));
    const families = parsePrometheus(await scrapeText());
    const states = families.get("foodhub_pos_circuit_breaker_state")!;
    expect(states.type).toBe("gauge");
    const of = (labels: Record<string, string>) => value(states, "foodhub_pos_circuit_breaker_state", labels);
    expect(of({ restaurant_id: "1", vendor: "square", state: "open" })).toBe(1);
    expect(of({ restaurant_id: "1", vendor: "square", state: "closed" })).toBe(0);
    const others = states.samples.filter((s) => s.labels.restaurant_id !== "1" && s.labels.state === "closed");
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((s) => s.value === 1)).toBe(true);
    const failures = families.get("foodhub_pos_circuit_breaker_failures")!;
    expect(value(failures, "foodhub_pos_circuit_breaker_failures", { restaurant_id: "1", vendor: "square" })).toBe(2);
    // Each connection shows exactly one current state.
    const current = new Map<string, number>();
    for (const s of states.samples) {
      const key = `${s.labels.restaurant_id}/${s.labels.vendor}`;
      current.set(key, (current.get(key) ?? 0) + s.value);
    }
    expect([...current.values()].every((n) => n === 1)).toBe(true);
  });

  it("shows Redis memory against maxmemory", async () => {
    const families = parsePrometheus(await scrapeText());
    const used = families.get("foodhub_redis_memory_used_bytes")!.samples[0]!.value;
    expect(used).toBeGreaterThan(0);
    const { maxmemory } = parseInfo(await t.redis.send("INFO", ["memory"]));
    expect(maxmemory).toBeDefined();
    expect(families.get("foodhub_redis_memory_max_bytes")!.samples[0]!.value).toBe(Number(maxmemory));
  });

  it("passes promtool check metrics", async () => {
    const verdict = await promtoolCheckMetrics(await scrapeText());
    if (verdict === "absent") return;
    expect(verdict.problems).toEqual([]);
    expect(verdict.exitCode).toBe(0);
  });
});
