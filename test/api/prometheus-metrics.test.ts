import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { createTestApp, notInProcess, type TestApp } from "../support/app";
import { type MonitoringWorld, monitoringWorld, waitUntil } from "../support/monitoring-world";

type Sample = { name: string; labels: Record<string, string>; value: number };
type Family = { name: string; type: string; help: string; samples: Sample[] };

/**
 * A strict reader of the Prometheus text format (0.0.4): HELP and TYPE before samples, label
 * escapes, values incl. +Inf/NaN, histogram series (`_bucket`, `_sum`, `_count`) folded into
 * their family. Throws on any line it cannot read.
 */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: "", samples: [] };
      families.set(name, f);
    }
    return f;
  };
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === "TYPE") {
        if (f.samples.length > 0) throw new Error(`TYPE after samples: ${line}`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]!)) throw new Error(line);
        f.type = meta[3]!;
      } else f.help = meta[3]!;
      continue;
    }
    if (line.startsWith("#") || line === "") continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!sample) throw new Error(`unreadable line: ${line}`);
    const labels: Record<string, string> = {};
    const body = sample[2] ?? "";
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
    while (label.lastIndex < body.length) {
      const m = label.exec(body);
      if (!m) throw new Error(`bad labels: ${line}`);
      labels[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const raw = sample[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`bad value: ${line}`);
    const name = sample[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const owner = families.get(base)?.type === "histogram" ? base : name;
    if (!families.has(owner)) throw new Error(`sample without TYPE: ${line}`);
    family(owner).samples.push({ name, labels, value });
  }
  return families;
}

const value = (f: Family | undefined, name: string, labels: Record<string, string>) =>
  f?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

/** Histogram invariants: buckets cumulative per series, the +Inf bucket equals _count. */
function checkHistogram(f: Family) {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples.filter((s) => s.name.endsWith("_bucket"))) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    expect(value(f, `${f.name}_count`, JSON.parse(key))).toBe(values.at(-1)!);
  }
}

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
