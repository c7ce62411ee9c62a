import type { Subprocess } from "bun";
import { startWsProxy } from "../db/ws-proxy";
import { startUpstashRestServer } from "../src/redis/upstash-rest-server";
import { parseCommandLine } from "../src/runtime/command-line";
import { type DevSystem, say, startDevSystem, stopOnSignals } from "./dev-system";

/**
 * `bun run dev:edge`: the dev command's system (scripts/dev-system.ts) with the API in workerd
 * (`wrangler dev --local`, src/edge.ts) instead of Bun: the dev Redis behind a local endpoint
 * speaking Upstash's REST contract, the embedded PGlite the dev system serves (reached by the
 * Neon driver), the POS simulator and a Bun worker. Its URL is the API's; the demo tokens work the same.
 */
const root = new URL("../", import.meta.url).pathname;
const REST_TOKEN = "dev-edge-local-token";

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * Where workerd's Neon driver reaches the database: the embedded PGlite the dev system serves
 * (db/pglite-server.ts speaks the driver's WebSocket transport and keeps each connection's turn
 * whole), or DATABASE_URL through a ws proxy.
 */
async function databaseForWorkerd(system: Pick<DevSystem, "config" | "database" | "running">) {
  const served = await system.database.serve?.();
  if (served) return { url: `postgres://postgres@${served}/postgres`, proxy: served };
  const proxy = startWsProxy(0);
  system.running("ws proxy", () => proxy.stop());
  say(`ws→tcp proxy for the Neon driver on ${proxy.address}`);
  return { url: system.config.DATABASE_URL!, proxy: proxy.address };
}

async function main() {
  const system = await startDevSystem();
  const { config } = system;
  const database = await databaseForWorkerd(system);

  const upstash = await startUpstashRestServer({ redisUrl: config.REDIS_URL!, token: REST_TOKEN });
  system.running("Upstash REST endpoint", () => upstash.stop());
  say(`Upstash-compatible REST endpoint on ${upstash.url} (over ${config.REDIS_URL})`);

  const port = config.PORT === 0 ? await freePort() : config.PORT;
  const vars: Record<string, string> = {
    NODE_ENV: "development",
    // workerd listens on 127.0.0.1 (--ip below); the edge accepts the dev secret only when told so.
    HOST: "127.0.0.1",
    LOG_LEVEL: config.LOG_LEVEL,
    DATABASE_URL: database.url,
    DATABASE_WS_PROXY: database.proxy,
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: REST_TOKEN,
    JWT_SECRET: config.JWT_SECRET ?? "",
    REDIS_PREFIX: config.REDIS_PREFIX,
    QUEUE_SHARDS: String(config.QUEUE_SHARDS),
  };
  if (config.METRICS_TOKEN) vars.METRICS_TOKEN = config.METRICS_TOKEN;
  if (config.SQUARE_PAYMENTS_BASE_URL && config.SQUARE_PAYMENTS_ACCESS_TOKEN && config.SQUARE_PAYMENTS_LOCATION_ID) {
    vars.SQUARE_PAYMENTS_BASE_URL = config.SQUARE_PAYMENTS_BASE_URL;
    vars.SQUARE_PAYMENTS_ACCESS_TOKEN = config.SQUARE_PAYMENTS_ACCESS_TOKEN;
    vars.SQUARE_PAYMENTS_LOCATION_ID = config.SQUARE_PAYMENTS_LOCATION_ID;
  }
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"];
  args.push("--test-scheduled");
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const wrangler: Subprocess = Bun.spawn([`${root}node_modules/.bin/wrangler`, ...args], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
  });
  system.running("workerd", async () => {
    wrangler.kill("SIGINT");
    await wrangler.exited;
  });
  const api = `http://127.0.0.1:${port}`;
  say(`starting workerd (wrangler dev --local) on ${api}…`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${api}/readyz`)).ok) break;
    } catch {
      // workerd is still starting.
    }
    if (wrangler.exitCode !== null) {
      console.error(`[dev] wrangler dev exited with ${wrangler.exitCode}`);
      process.exit(1);
    }
    if (Date.now() > deadline) {
      console.error("[dev] workerd did not become ready within 120 s");
      process.exit(1);
    }
    await Bun.sleep(250);
  }
  say(`API (workerd) on ${api}  ·  docs ${api}/docs`);
  await system.announce(api);
}

if (import.meta.main) {
  parseCommandLine({
    usage: `bun run dev:edge

  The dev command's system with the API in workerd (wrangler dev --local) on PORT.`,
  });
  stopOnSignals();
  await main();
}
