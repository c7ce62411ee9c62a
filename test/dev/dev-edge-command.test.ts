import { afterAll, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { placeDemoOrder, waitForSynced } from "../support/demo-order";
import { readUntil } from "./read-until";

/** `bun run dev:edge`: the demo system with the API in workerd, from an empty data directory. */
const root = new URL("../../", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "fh-dev-edge-"));
let child: ReturnType<typeof Bun.spawn> | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

it("starts the demo system with the API in workerd, syncs an order through the Bun worker, stops cleanly", async () => {
  child = Bun.spawn(["bun", "run", "scripts/dev-edge.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      DEV_POS_SIM_PORT: "0",
      PGLITE_DIR: join(dataDir, "pglite"),
      // Always the embedded default, even when the suite itself runs on Postgres.
      DATABASE_URL: "",
      DATABASE_WS_PROXY: "",
      REDIS_PREFIX: `devedge${process.pid}`,
      LOG_LEVEL: "warn",
      WRANGLER_SEND_METRICS: "false",
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await readUntil(child.stdout as ReadableStream<Uint8Array>, /demo tokens in/, 420_000);
  const api = /API \(workerd\) on (http:\/\/\S+)/.exec(out)?.[1];
  expect(api).toBeDefined();
  expect(out).toContain("Upstash-compatible REST endpoint on");
  expect(out).toContain("POS simulator on");
  expect(out).toContain("worker");

  const ready = await fetch(`${api}/readyz`);
  expect(ready.status).toBe(200);
  const script = await fetch(`${api}/dashboard/app.js`);
  expect(script.status).toBe(200);
  expect(script.headers.get("content-type")).toContain("text/javascript");
  const tokens = JSON.parse(readFileSync(join(root, ".data/demo-tokens.json"), "utf8")) as Record<string, string>;
  const customer = tokens["customer@demo.test"]!;
  const me = await fetch(`${api}/v1/me`, { headers: { authorization: `Bearer ${customer}` } });
  expect(me.status).toBe(200);
  const placed = await placeDemoOrder(api!, customer, 2, `dev-edge-smoke-${Date.now()}`);
  expect(placed.status).toBe(201);
  const order = (await placed.json()) as { id: number };
  // Dispatched over REST by workerd, synced to the simulated Square POS by the Bun worker.
  const state = await waitForSynced(api!, customer, order.id, 300);
  expect(state).toBe("synced");

  child.kill("SIGINT");
  expect(await child.exited).toBe(0);
}, 480_000);
