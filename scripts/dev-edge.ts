import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Subprocess } from "bun";
import { openNeonDatabase } from "../db/neon";
import { startWsProxy } from "../db/ws-proxy";
import { startUpstashRestServer } from "../src/redis/upstash-rest-server";
import { type DevSystem, say, startDevSystem, stopOnSignals } from "./dev-system";

/**
 * `bun run dev:edge`: the dev command's system (scripts/dev-system.ts) with the API in workerd
 * (`wrangler dev --local`, src/edge.ts) instead of Bun: the dev Redis behind a local endpoint
 * speaking Upstash's REST contract, the embedded PGlite served over the Postgres wire protocol
 * (pglite-socket) and reached by the Neon driver through the ws proxy, the POS simulator and a
 * Bun worker. Its URL is the API's; the demo tokens work the same.
 */
const root = new URL("../", import.meta.url).pathname;
const REST_TOKEN = "dev-edge-local-token";

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** The embedded PGlite on the Postgres wire protocol, and the ws proxy the Neon driver reaches it by. */
async function serveDatabase(system: Pick<DevSystem, "config" | "database" | "running">) {
  let url = system.config.DATABASE_URL;
  const pglite = system.database.pglite;
  if (pglite) {
    const socket = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 512 });
    await socket.start();
    system.running("PGlite socket", () => socket.stop());
    url = `postgres://postgres@${socket.getServerConn()}/postgres`;
    say(`embedded PGlite on the Postgres wire protocol at ${socket.getServerConn()}`);
  }
  // PGlite is one session: its connections take turns a request at a time.
  const proxy = startWsProxy(0, { takeTurns: pglite !== undefined });
  system.running("ws proxy", () => proxy.stop());
  say(`ws→tcp proxy for the Neon driver on ${proxy.address}`);
  return { url: url!, proxy: proxy.address };
}

async function main() {
  let served: { url: string; proxy: string } | undefined;
  const system = await startDevSystem({
    // The worker shares the database with workerd the same way (through the proxy's turns), so
    // its statements never land between another connection's.
    async workerDatabase(parts) {
      served = await serveDatabase(parts);
      const neon = openNeonDatabase(served.url, { wsProxy: served.proxy });
      parts.running("worker database pool", () => neon.close());
      return neon.db;
    },
  });
  const { config } = system;
  const database = served!;

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
  stopOnSignals();
  await main();
}
