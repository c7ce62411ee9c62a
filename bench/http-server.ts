/**
 * The server side of `bun run bench:http`, in a process of its own so the
 * load generator does not share its event loop: the app on a seeded PGlite and
 * the given Redis, and a raw `Bun.serve` answering with the exact bytes of
 * the cached menu and config (the ceiling), plus an app route answering with
 * the menu bytes from memory (what an in-process cache layer could reach at
 * best). Prints one JSON line with the
 * URLs, then serves until killed.
 */
import { createRoute } from "@hono/zod-openapi";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { idParams } from "../src/http/schemas";
import { createLogger } from "../src/logger";
import { connectTcpRedis } from "../src/redis/tcp";
import { menuQuery } from "../src/routes/restaurants/restaurants.schemas";
import { seededDatabase } from "./support/seeded-database";

const config = loadConfig({ REDIS_PREFIX: process.env.BENCH_PREFIX ?? "bench", LOG_LEVEL: "silent" });
if (!config.REDIS_URL) throw new Error("bench/http-server.ts needs REDIS_URL");
const redis = await connectTcpRedis(config.REDIS_URL);
const database = await seededDatabase();
const app = createApp({ config, db: database.db, redis, logger: createLogger("silent") });
const token = process.env.BENCH_TOKEN ?? "";
// The best an in-process cache layer could do: the app's middleware and the menu route's validation,
// then bytes already in memory.
// Routes must be added before the first request, so the bytes are filled in just after.
let menu = "";
app.openapi(
  createRoute({
    method: "get",
    path: "/bench/menu-from-memory/{id}",
    request: { params: idParams, query: menuQuery },
    responses: { 200: { description: "The menu bytes" } },
  }),
  (c) => c.body(menu, 200, { "content-type": "application/json" }),
);
menu = await (await app.request("/v1/restaurants/1/menu")).text();
const api = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });

const configBody = await (
  await app.request("/v1/restaurants/1/config", { headers: { authorization: `Bearer ${token}` } })
).text();
const raw = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const body = new URL(req.url).pathname.endsWith("/config") ? configBody : menu;
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
});

console.log(
  JSON.stringify({ api: `http://127.0.0.1:${api.port}`, raw: `http://127.0.0.1:${raw.port}`, menuBytes: menu.length }),
);
