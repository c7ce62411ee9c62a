import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/logger";
import { type PosRuntime, startPosRuntime } from "../../workers/pos-runtime";
import { createTestApp, type TestApp } from "../support/app";
import { parsePrometheus } from "../support/prometheus";
import { promtool } from "../support/promtool";

const root = new URL("../../", import.meta.url).pathname;
const alertsPath = join(root, "ops/prometheus/alerts.yml");
const alertTestsPath = join(root, "ops/prometheus/alerts.test.yml");
const prometheusConfigPath = join(root, "ops/prometheus/prometheus.yml");
const dashboardPath = join(root, "ops/grafana/foodhub.json");

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> };
type Target = { expr: string; refId: string; datasource?: { type: string; uid: string } };
type GridPos = { h: number; w: number; x: number; y: number };
type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
};
type Dashboard = {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  __requires: Array<{ type: string; id: string }>;
  id: null;
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; datasource?: { uid: string } }> };
  time: { from: string; to: string };
};

/** What Grafana replaces with the data source chosen at import (the `__inputs` entry). */
const DS_UID = ["$", "{DS_PROMETHEUS}"].join("");
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
]);

/** The metric names a PromQL expression selects: label matchers, ranges, grouping and functions removed. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    const before = stripped[m.index - 1];
    if (after.startsWith("(") || KEYWORDS.has(m[0]) || before === "$" || /[0-9.]/.test(before ?? "")) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Every series name an exposition emits (histograms with their _bucket, _sum and _count). */
function seriesNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const family of parsePrometheus(text).values()) {
    names.add(family.name);
    if (family.type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(family.name + s);
  }
  return names;
}

let t: TestApp;
let runtime: PosRuntime;
let apiNames: Set<string>;
let workerNames: Set<string>;
let rules: Rule[];
let dashboard: Dashboard;

beforeAll(async () => {
  t = await createTestApp({ settings: { METRICS_TOKEN: "assets-token" } });
  runtime = await startPosRuntime({
    config: t.config,
    db: t.db,
    redis: t.redis,
    logger: createLogger("silent"),
    scheduler: false,
    statusIntervalMs: 0,
  });
  const scraped = await t.request("/metrics", { headers: { authorization: "Bearer assets-token" } });
  apiNames = seriesNames(await scraped.text());
  workerNames = seriesNames(await runtime.metricsText());
  const parsed = Bun.YAML.parse(await Bun.file(alertsPath).text()) as { groups: Array<{ rules: Rule[] }> };
  rules = parsed.groups.flatMap((g) => g.rules);
  dashboard = (await Bun.file(dashboardPath).json()) as Dashboard;
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await t?.close();
});

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const targets = () => allPanels(dashboard.panels).flatMap((p) => p.targets ?? []);

describe("the metric names the shipped assets query", () => {
  it("reads metric names out of PromQL", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (vendor, le) (rate(foodhub_pos_request_duration_seconds_bucket{vendor=~"$v"}[$__rate_interval]))) / on (x) group_left () up > 0.5 or vector(0)',
      ).sort(),
    ).toEqual(["foodhub_pos_request_duration_seconds_bucket", "up"]);
  });

  it("the API and the worker expose the same families", () => {
    expect([...workerNames].sort()).toEqual([...apiNames].sort());
  });

  it("every alert rule names only metrics our /metrics emits", () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      "FoodHubCircuitBreakerOpen",
      "FoodHubNoLiveWorkers",
      "FoodHubQueueFailureRate",
      "FoodHubQueueLongWait",
      "FoodHubRedisMemoryNearLimit",
    ]);
    for (const rule of rules) {
      const names = metricNames(rule.expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names)
        expect({ rule: rule.alert, name, emitted: apiNames.has(name) }).toEqual({
          rule: rule.alert,
          name,
          emitted: true,
        });
      expect(["warning", "critical"]).toContain(rule.labels?.severity ?? "");
    }
  });

  it("every dashboard query names only metrics our /metrics emits", () => {
    expect(targets().length).toBeGreaterThan(20);
    for (const target of targets()) {
      const names = metricNames(target.expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names)
        expect({ expr: target.expr, name, emitted: apiNames.has(name) }).toEqual({
          expr: target.expr,
          name,
          emitted: true,
        });
    }
  });
});

describe("ops/grafana/foodhub.json imports as is", () => {
  it("asks for its Prometheus data source at import and uses nothing else", () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }),
    ]);
    const sources: Array<{ type?: string; uid?: string }> = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "datasource" && value && typeof value === "object") sources.push(value);
          else walk(value);
        }
      }
    };
    walk({ panels: dashboard.panels, templating: dashboard.templating });
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).toEqual({ type: "prometheus", uid: DS_UID });
  });

  it("has the top-level fields Grafana requires of an import", () => {
    expect(dashboard.id).toBeNull();
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toBe("FoodHub Sync");
    expect(Number.isInteger(dashboard.schemaVersion)).toBe(true);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.time).toEqual({ from: expect.stringMatching(/^now-/), to: "now" });
    expect(Array.isArray(dashboard.templating.list)).toBe(true);
  });

  it("lays out panels with unique ids on the 24-column grid without overlaps", () => {
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const required = new Set(dashboard.__requires.filter((r) => r.type === "panel").map((r) => r.id));
    for (const p of panels) {
      expect(p.title.length).toBeGreaterThan(0);
      const { h, w, x, y } = p.gridPos;
      for (const n of [h, w, x, y]) expect(Number.isInteger(n) && n >= 0).toBe(true);
      expect(w).toBeGreaterThan(0);
      expect(x + w).toBeLessThanOrEqual(24);
      if (p.type !== "row") expect(required.has(p.type)).toBe(true);
    }
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect({ a: a.title, b: b.title, overlap }).toEqual({ a: a.title, b: b.title, overlap: false });
      }
    }
  });

  it("gives each query a refId and uses only defined or built-in variables", () => {
    const variables = new Set(dashboard.templating.list.map((v) => v.name));
    for (const p of allPanels(dashboard.panels).filter((p) => p.type !== "row")) {
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds.length).toBeGreaterThan(0);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of p.targets ?? []) {
        for (const m of target.expr.matchAll(/\$(\w+)/g)) {
          expect(m[1]!.startsWith("__") || variables.has(m[1]!)).toBe(true);
        }
      }
    }
  });
});

describe("promtool", () => {
  it("checks and unit-tests ops/prometheus/alerts.yml", async () => {
    const bin = promtool();
    if (bin === "absent") return;
    const check = Bun.spawnSync([bin, "check", "rules", alertsPath]);
    expect(check.stdout.toString()).toContain("SUCCESS: 5 rules found");
    expect(check.exitCode).toBe(0);
    const test = Bun.spawnSync([bin, "test", "rules", alertTestsPath]);
    expect(test.stdout.toString() + test.stderr.toString()).toContain("SUCCESS");
    expect(test.exitCode).toBe(0);
  }, 30_000);

  it("accepts the example scrape configuration", () => {
    const bin = promtool();
    if (bin === "absent") return;
    // Syntax only: the token file it names exists on a Prometheus server, not here.
    const check = Bun.spawnSync([bin, "check", "config", "--syntax-only", prometheusConfigPath]);
    expect(check.stdout.toString()).toContain("is valid prometheus config file syntax");
    expect(check.exitCode).toBe(0);
  }, 30_000);

  it("parses every dashboard query as PromQL", async () => {
    const bin = promtool();
    if (bin === "absent") return;
    const dir = await mkdtemp(join(tmpdir(), "foodhub-dashboard-"));
    try {
      // Each query as a recording rule, Grafana's variables given values, so promtool parses it.
      const recorded = targets().map((target, i) => ({
        record: `dashboard:query_${i}`,
        expr: target.expr
          .replaceAll("$__rate_interval", "5m")
          .replaceAll("$__interval", "1m")
          .replace(/\$(\w+)/g, ".*"),
      }));
      const file = join(dir, "dashboard-queries.yml");
      await Bun.write(file, JSON.stringify({ groups: [{ name: "dashboard", rules: recorded }] }));
      const check = Bun.spawnSync([bin, "check", "rules", file]);
      expect(check.stderr.toString()).toBe("");
      expect(check.stdout.toString()).toContain(`SUCCESS: ${recorded.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
