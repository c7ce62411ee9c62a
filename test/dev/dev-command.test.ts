import { afterAll, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { placeDemoOrder, waitForSynced } from "../support/demo-order";
import { readUntil } from "./read-until";

const root = new URL("../../", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "fh-dev-"));
let child: ReturnType<typeof Bun.spawn> | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

it("starts the whole system on embedded defaults and stops cleanly", async () => {
  child = Bun.spawn(["bun", "run", "scripts/dev.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      DEV_POS_SIM_PORT: "0",
      PGLITE_DIR: join(dataDir, "pglite"),
      // Always the embedded default, even when the suite itself runs on Postgres.
      DATABASE_URL: "",
      DATABASE_WS_PROXY: "",
      REDIS_PREFIX: `devtest${process.pid}`,
      LOG_LEVEL: "warn",
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await readUntil(child.stdout as ReadableStream<Uint8Array>, /demo tokens in/, 90_000);
  const api = /API on (http:\/\/\S+)/.exec(out)?.[1];
  expect(api).toMatch(/^http:\/\/[^/\s]+:\d+\/?$/);
  expect(out).toContain("POS simulator on");
  expect(out).toContain("worker");

  const ready = await fetch(`${api}/readyz`);
  expect(ready.status).toBe(200);
  const tokens = JSON.parse(readFileSync(join(root, ".data/demo-tokens.json"), "utf8")) as Record<string, string>;
  const customer = tokens["customer@demo.test"]!;
  const placed = await placeDemoOrder(api!, customer, 2, `dev-smoke-${Date.now()}`);
  expect(placed.status).toBe(201);
  const order = (await placed.json()) as { id: number };
  // The worker syncs it to the simulated Square POS.
  const state = await waitForSynced(api!, customer, order.id, 100);
  expect(state).toBe("synced");

  // A card payment goes through the simulator's Square Payments, which the dev command configured.
  const paid = await fetch(`${api}/v1/orders/${order.id}/payments`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${customer}`,
      "content-type": "application/json",
      "idempotency-key": `dev-smoke-pay-${Date.now()}`,
    },
    body: JSON.stringify({ method: "card", sourceId: "cnon:card-nonce-ok" }),
  });
  expect(paid.status).toBe(201);
  const payment = ((await paid.json()) as { payment: { id: number; status: string } }).payment;
  expect(payment.status).toBe("captured");
  let paymentState = "";
  for (let i = 0; i < 100 && paymentState !== "synced"; i++) {
    await Bun.sleep(100);
    const res = await fetch(`${api}/v1/orders/${order.id}`, { headers: { authorization: `Bearer ${customer}` } });
    const body = (await res.json()) as { payments: Array<{ id: number; posSyncState: string }> };
    paymentState = body.payments.find((p) => p.id === payment.id)?.posSyncState ?? "";
  }
  expect(paymentState).toBe("synced");

  child.kill("SIGINT");
  expect(await child.exited).toBe(0);
}, 120_000);
