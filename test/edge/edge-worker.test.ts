import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Subprocess } from "bun";
import { eq } from "drizzle-orm";
import { orders, posConnections } from "../../db/schema";
import { startWsProxy, type WsProxy } from "../../db/ws-proxy";
import { orderReference } from "../../src/pos/idempotency";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { simulatorSeedFromDatabase } from "../../src/pos/simulator/seed-from-database";
import { queueKeys } from "../../src/queue/keys";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import { createTestApp, type TestApp } from "../support/app";
import { placeDemoOrder } from "../support/demo-order";
import { type SharedDatabase, shareDatabase } from "../support/shared-database";

/**
 * The Workers entry (src/edge.ts) in the real Workers runtime (workerd, via
 * `wrangler dev --local`), on Redis over the Upstash REST contract and the
 * database through the Neon driver: what runs at the edge, end to end, its
 * Cron Trigger included (through wrangler's `/__scheduled` endpoint), with the
 * POS simulator as the restaurants' POS and no Bun worker.
 */
const root = new URL("../../", import.meta.url).pathname;
let t: TestApp;
let shared: SharedDatabase;
let proxy: WsProxy;
let upstash: Awaited<ReturnType<typeof startUpstashRestServer>>;
let wrangler: Subprocess;
let sim: PosSimulator;
let edge = "";

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

beforeAll(async () => {
  t = await createTestApp();
  sim = await startPosSimulator({ randomSeed: 42 });
  for (const posType of ["square", "toast", "local"] as const) {
    await t.db
      .update(posConnections)
      .set({ baseUrl: sim.baseUrl(posType) })
      .where(eq(posConnections.posType, posType));
  }
  for (const seed of await simulatorSeedFromDatabase(t.db)) sim.control.seed(seed);
  shared = await shareDatabase(t.database);
  // PGlite is one session: the scheduled handler's connections take turns a request at a time.
  proxy = startWsProxy(0, { takeTurns: true });
  upstash = await startUpstashRestServer({ redisUrl: t.config.REDIS_URL!, token: "edge-test-token" });
  const port = await freePort();
  const vars = {
    // wrangler.toml says production, which takes tokens from an OpenID Connect issuer only.
    NODE_ENV: "test",
    DATABASE_URL: shared.env.DATABASE_URL!,
    DATABASE_WS_PROXY: proxy.address,
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: "edge-test-token",
    JWT_SECRET: t.config.JWT_SECRET ?? "",
    REDIS_PREFIX: t.config.REDIS_PREFIX,
    LOG_LEVEL: "error",
  };
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"];
  args.push("--test-scheduled");
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  wrangler = Bun.spawn([`${root}node_modules/.bin/wrangler`, ...args], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdout: "ignore",
    stderr: "ignore",
  });
  edge = `http://127.0.0.1:${port}`;
  // wrangler dev takes 10 s to start when idle and minutes on a loaded machine.
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      if ((await fetch(`${edge}/healthz`)).ok) break;
    } catch {
      // workerd is still starting.
    }
    if (Date.now() > deadline) throw new Error("wrangler dev did not start within 240 s");
    await Bun.sleep(250);
  }
}, 300_000);

afterAll(async () => {
  wrangler?.kill();
  await wrangler?.exited;
  await upstash?.stop();
  await sim?.stop();
  proxy?.stop();
  await shared?.stop();
  await t?.close();
});

describe("the API on Cloudflare Workers", () => {
  setDefaultTimeout(20_000);

  it("is ready: the database through the Neon driver, Redis over REST", async () => {
    const res = await fetch(`${edge}/readyz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("ready");
  });

  it("serves the seeded restaurants and a cached menu with its ETag", async () => {
    const list = (await (await fetch(`${edge}/v1/restaurants`)).json()) as { total: number };
    expect(list.total).toBe(3);
    const first = await fetch(`${edge}/v1/restaurants/1/menu`);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await fetch(`${edge}/v1/restaurants/1/menu`, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("takes an order and hands its POS sync to the queue over REST", async () => {
    const token = await t.tokenFor("customer@demo.test");
    const res = await placeDemoOrder(edge, token, 3, `edge-${Date.now()}`);
    expect(res.status).toBe(201);
    const order = (await res.json()) as { posSyncState: string };
    expect(order.posSyncState).toBe("queued");
    const keys = queueKeys(t.config.REDIS_PREFIX, t.config.QUEUE_SHARDS);
    const waiting = await t.redis.send("XLEN", [keys.shard(0).stream("high")]);
    expect(Number(waiting)).toBe(1);
  });

  it("answers bad input with the error format", async () => {
    const res = await fetch(`${edge}/v1/restaurants?pageSize=0`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_error");
  });

  it("syncs an order placed at the edge to the POS from its Cron Trigger, with no Bun worker", async () => {
    const token = await t.tokenFor("customer@demo.test");
    const restaurant = (await (await fetch(`${edge}/v1/restaurants/1`)).json()) as { branches: Array<{ id: number }> };
    const menu = (await (await fetch(`${edge}/v1/restaurants/1/menu`)).json()) as {
      categories: Array<{ items: Array<{ id: number; available: boolean; branchId: number | null }> }>;
    };
    const item = menu.categories.flatMap((c) => c.items).find((i) => i.available && i.branchId === null)!;
    const placed = await fetch(`${edge}/v1/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": `edge-cron-${Date.now()}`,
      },
      body: JSON.stringify({
        restaurantId: 1,
        branchId: restaurant.branches[0]!.id,
        type: "pickup",
        items: [{ menuItemId: item.id, quantity: 1 }],
      }),
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: number; posSyncState: string };
    expect(order.posSyncState).toBe("queued");
    expect(sim.control.orders("square").filter((o) => o.reference === orderReference(order.id))).toHaveLength(0);

    // What Cloudflare calls every minute; wrangler answers once the call (waitUntil included) is over.
    const ran = await fetch(`${edge}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(ran.status).toBe(200);

    expect(sim.control.orders("square").filter((o) => o.reference === orderReference(order.id))).toHaveLength(1);
    const [row] = await t.db
      .select({ state: orders.posSyncState, posOrderId: orders.posOrderId })
      .from(orders)
      .where(eq(orders.id, order.id));
    expect(row?.state).toBe("synced");
    expect(row?.posOrderId).toBeTruthy();
    // Acked: nothing waits in the stream or stays pending, the earlier test's order included.
    const keys = queueKeys(t.config.REDIS_PREFIX, t.config.QUEUE_SHARDS);
    const stream = keys.shard(0).stream("high");
    expect(Number(await t.redis.send("XLEN", [stream]))).toBe(0);
    const pending = (await t.redis.send("XPENDING", [stream, keys.group])) as unknown[];
    expect(Number(pending[0])).toBe(0);
  }, 120_000);
});
