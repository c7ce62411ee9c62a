import { afterAll, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readUntil } from "./read-until";

const root = new URL("../../", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "fh-ops-"));
const env = {
  ...process.env,
  PORT: "0",
  DEV_POS_SIM_PORT: "0",
  PGLITE_DIR: join(dataDir, "pglite"),
  // Always the embedded default and the dev command's own Redis, even when the suite runs elsewhere.
  DATABASE_URL: "",
  DATABASE_WS_PROXY: "",
  REDIS_URL: "",
  REDIS_CLUSTER_NODES: "",
  REDIS_PREFIX: `opstest${process.pid}`,
  LOG_LEVEL: "warn",
};
const children: Array<ReturnType<typeof Bun.spawn>> = [];

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a `bun run` script next to the dev command; its exit code and output. */
async function run(...args: string[]) {
  return runIn(env, ...args);
}

async function runIn(env: Record<string, string | undefined>, ...args: string[]) {
  const child = Bun.spawn(["bun", "run", ...args], { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, out, err };
}

it("runs the ops CLI, bun run token and an extra worker next to bun run dev", async () => {
  const dev = Bun.spawn(["bun", "run", "scripts/dev.ts"], { cwd: root, env, stdout: "pipe", stderr: "inherit" });
  children.push(dev);
  const out = await readUntil(dev.stdout as ReadableStream<Uint8Array>, /demo tokens in/, 120_000);
  expect(out).toMatch(/served to local commands on 127\.0\.0\.1:\d+/);

  const token = await run("token", "--email", "owner@demo.test");
  expect(token.code).toBe(0);
  expect(token.out.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

  const status = await run("queue:status");
  expect(status.code).toBe(0);
  expect(status.out).toMatch(/^status: (ok|degraded|down)/);
  expect(status.out).toMatch(/\nhigh\s+no\s/);

  expect((await run("queue:pause", "high")).out).toContain("high: paused");
  expect((await run("queue:status")).out).toMatch(/\nhigh\s+yes\s/);
  expect((await run("queue:status")).out).toContain("- high: paused");
  expect((await run("queue:resume", "high")).out).toContain("high: resumed");

  expect(await run("queue:failed")).toMatchObject({ code: 0, out: expect.stringContaining("failed job(s)") });
  expect(await run("queue:retry", "all")).toMatchObject({ code: 0, out: expect.stringContaining("retried") });
  expect(await run("queue:clear-failed", "--yes")).toMatchObject({ code: 0, out: expect.stringContaining("deleted") });
  expect((await run("queue:workers")).out).toMatch(/^1 live worker\(s\)/);

  const worker = Bun.spawn(["bun", "run", "worker", "--queue=low"], { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  children.push(worker);
  let workers = "";
  for (let i = 0; i < 120 && !/^2 live worker/.test(workers); i++) {
    await Bun.sleep(500);
    workers = (await run("queue:workers")).out;
  }
  expect(workers).toMatch(/^2 live worker\(s\)/);
  worker.kill("SIGTERM");
  expect(await worker.exited).toBe(0);

  dev.kill("SIGINT");
  expect(await dev.exited).toBe(0);
}, 300_000);

it("refuses a second owner of the same PGlite directory with a clear message", async () => {
  // A directory of its own, held by a process that does not serve it.
  const own = { ...env, PGLITE_DIR: join(dataDir, "held") };
  const holder = Bun.spawn(
    [
      "bun",
      "-e",
      `const { openDatabase } = await import("./db/client"); await openDatabase({ pgliteDir: process.env.PGLITE_DIR }); console.log("open"); await Bun.sleep(120000);`,
    ],
    { cwd: root, env: own, stdout: "pipe", stderr: "inherit" },
  );
  children.push(holder);
  await readUntil(holder.stdout as ReadableStream<Uint8Array>, /open/, 120_000);
  const second = await runIn(own, "db:migrate");
  expect(second.code).toBe(1);
  expect(second.err).toContain(`is open in process ${holder.pid}`);
  expect(second.err).not.toContain("    at ");
  holder.kill("SIGKILL");
}, 200_000);
