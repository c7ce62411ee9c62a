import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Subprocess } from "bun";
import { Queue } from "../../src/queue/queue";
import { InventoryUpdateFromPOS } from "../../src/sync/pos-job-contracts";
import { checkHistogram, parsePrometheus, value } from "../support/prometheus";
import { promtoolCheckMetrics } from "../support/promtool";
import { type SharedDatabase, shareDatabase } from "../support/shared-database";
import { createSyncWorld, eventually, type SyncWorld } from "../sync/world";

const TOKEN = "worker-metrics-token-for-tests";
const workerEntry = new URL("../../workers/index.ts", import.meta.url).pathname;

let w: SyncWorld;
let shared: SharedDatabase;
let child: Subprocess<"ignore", "pipe", "inherit"> | null = null;
let metricsUrl: string;

let workerLog = "";

/**
 * Reads the worker's JSON log lines until one says where its metrics are served, and keeps reading
 * afterwards (a pipe nobody drains would stall the worker's writes); the log helps when a test fails.
 */
async function metricsUrlFrom(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const { promise, resolve, reject } = Promise.withResolvers<string>();
  void (async () => {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return reject(new Error(`worker exited before serving metrics; it said:\n${workerLog}`));
      workerLog += decoder.decode(chunk, { stream: true });
      const url = /"msg":"metrics on (http:\/\/[^"]+)"/.exec(workerLog)?.[1];
      if (url) resolve(url);
    }
  })();
  return promise;
}

function workerEnv(extra: Record<string, string>): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    ...shared.env,
    REDIS_PREFIX: w.t.config.REDIS_PREFIX,
    LOG_LEVEL: "info",
    ...extra,
  };
}

beforeAll(async () => {
  w = await createSyncWorld();
  shared = await shareDatabase(w.t.database);
  child = Bun.spawn(["bun", workerEntry, "--metrics-port=0", "--concurrency=4"], {
    env: workerEnv({ METRICS_TOKEN: TOKEN }),
    stdout: "pipe",
    stderr: "inherit",
  });
  metricsUrl = await metricsUrlFrom(child.stdout);
}, 120_000);

afterAll(async () => {
  if (child) {
    // SIGTERM drains; a worker still draining after 10 s on this loaded machine is killed.
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
    if (!exited) child.kill("SIGKILL");
    await child.exited;
  }
  await shared?.stop();
  await w?.close();
}, 30_000);

const scrape = (token?: string, url = metricsUrl) =>
  fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("bun run worker --metrics-port", () => {
  it("serves /metrics from the worker process under the METRICS_TOKEN bearer rule", async () => {
    expect((await scrape()).status).toBe(401);
    const wrong = await scrape("not-the-token");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    const other = await scrape(TOKEN, metricsUrl.replace(/\/metrics$/, "/elsewhere"));
    expect(other.status).toBe(404);
    const res = await scrape(TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  }, 30_000);

  it("shows this worker's POS calls by vendor, its process, and the shared queue and breaker state", async () => {
    // Restaurant 1's POS is Square: the spawned worker pulls its stock from the simulator. The
    // job goes straight to the queue, so only the worker writes to the shared database meanwhile.
    await new Queue({ redis: w.t.redis, prefix: w.t.config.REDIS_PREFIX, shards: w.t.config.QUEUE_SHARDS }).dispatch(
      InventoryUpdateFromPOS,
      {
        restaurantId: 1,
      },
    );
    let text = "";
    const squareCalls = () =>
      value(
        parsePrometheus(text).get("foodhub_pos_request_duration_seconds"),
        "foodhub_pos_request_duration_seconds_count",
        {
          vendor: "square",
        },
      ) ?? 0;
    // Wait for the POS call and for a scrape that read the breakers (a database read that can fail
    // for a moment; the exposition then leaves those families out).
    const breakerClosed = () =>
      value(parsePrometheus(text).get("foodhub_pos_circuit_breaker_state"), "foodhub_pos_circuit_breaker_state", {
        restaurant_id: "1",
        vendor: "square",
        state: "closed",
      });
    const called = await eventually(
      async () => {
        text = await (await scrape(TOKEN)).text();
        return squareCalls() >= 1 && breakerClosed() !== undefined;
      },
      60_000,
      200,
    );
    expect({ called, workerLog: called ? "" : workerLog.slice(-4_000) }).toEqual({ called: true, workerLog: "" });
    const families = parsePrometheus(text);

    const pos = families.get("foodhub_pos_request_duration_seconds")!;
    expect(pos.type).toBe("histogram");
    checkHistogram(pos);
    expect(squareCalls()).toBeGreaterThanOrEqual(1);
    expect(families.get("foodhub_pos_request_errors_total")?.type).toBe("counter");

    const build = families.get("foodhub_build_info")!.samples[0]!;
    expect(build.labels.runtime).toBe("bun");
    const started = families.get("process_start_time_seconds")!.samples[0]!.value;
    // The worker is its own process, started after this test file's.
    expect(started).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000 - process.uptime()));
    expect(value(families.get("foodhub_queue_workers"), "foodhub_queue_workers", { status: "alive" })).toBe(1);
    expect(families.get("foodhub_queue_jobs")?.samples.length).toBe(12);
    expect(breakerClosed()).toBe(1);

    const verdict = await promtoolCheckMetrics(text);
    if (verdict !== "absent") expect(verdict).toEqual({ exitCode: 0, problems: [] });
  }, 120_000);

  it("refuses --metrics-port without METRICS_TOKEN, with a clear message", async () => {
    const refused = Bun.spawn(["bun", workerEntry, "--metrics-port=0"], {
      env: workerEnv({ METRICS_TOKEN: "" }),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await refused.exited).toBe(2);
    expect(await new Response(refused.stderr).text()).toContain("--metrics-port needs METRICS_TOKEN");
  }, 30_000);
});
