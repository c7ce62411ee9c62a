import { afterAll, describe, expect, it } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";

/**
 * `ops/grafana/foodhub.json` against Grafana's own dashboard schema: the types @grafana/schema
 * generates from Grafana's CUE kinds. No Grafana server installs here (no Debian package, no
 * image registry), so the dashboard is written out as a TypeScript object literal that must
 * satisfy that type, and `tsc` judges it: unknown fields, wrong types and enum values outside
 * Grafana's (thresholds mode, cursor sync...) all fail.
 */
const root = new URL("../../", import.meta.url).pathname;
const dashboardPath = join(root, "ops/grafana/foodhub.json");
const tsc = join(root, "node_modules/typescript/bin/tsc");
let scratch: string | null = null;

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The dashboard without the export envelope (`__inputs`, `__requires`, `__elements`), which Grafana's import reads and drops. */
async function dashboardBody(): Promise<Record<string, unknown>> {
  const exported = (await Bun.file(dashboardPath).json()) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(exported).filter(([key]) => !key.startsWith("__")));
}

/** Type-checks `dashboard` against Grafana's `Dashboard`; resolves with tsc's exit code and output. */
async function checkAgainstSchema(dashboard: unknown): Promise<{ code: number; output: string }> {
  // Inside the project so that `@grafana/schema` resolves from its node_modules.
  scratch ??= await mkdtemp(join(root, "node_modules/.grafana-schema-check-"));
  const file = join(scratch, `dashboard-${crypto.randomUUID()}.ts`);
  await Bun.write(
    file,
    `import type { Dashboard } from "@grafana/schema";
// Grafana's enums as the strings a JSON file holds.
type AsJson<T> = T extends string ? \`\${T}\` : T extends Array<infer U> ? Array<AsJson<U>> : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;
export const dashboard = ${JSON.stringify(dashboard, null, 2)} satisfies AsJson<Dashboard>;
`,
  );
  const run = Bun.spawn(
    [
      "bun",
      tsc,
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "--module",
      "esnext",
      "--moduleResolution",
      "bundler",
      "--target",
      "es2022",
      file,
    ],
    { cwd: root, stdout: "pipe", stderr: "pipe" },
  );
  const [output, errors, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  return { code, output: output + errors };
}

describe("the Grafana dashboard", () => {
  it("satisfies Grafana's dashboard schema (@grafana/schema)", async () => {
    const { code, output } = await checkAgainstSchema(await dashboardBody());
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("fails the check with a field or an enum value Grafana does not know", async () => {
    const body = await dashboardBody();
    const unknownField = await checkAgainstSchema({ ...body, refreshEvery: "10s" });
    expect(unknownField.code).not.toBe(0);
    expect(unknownField.output).toContain("refreshEvery");
    const panels = structuredClone(body.panels) as Array<Record<string, unknown>>;
    const withThresholds = panels.find(
      (p) => (p.fieldConfig as { defaults?: { thresholds?: unknown } })?.defaults?.thresholds,
    );
    expect(withThresholds).toBeDefined();
    (withThresholds!.fieldConfig as { defaults: { thresholds: { mode: string } } }).defaults.thresholds.mode =
      "relative";
    const badEnum = await checkAgainstSchema({ ...body, panels });
    expect(badEnum.code).not.toBe(0);
    expect(badEnum.output).toContain("relative");
  }, 120_000);
});
