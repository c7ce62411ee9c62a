/**
 * The server side of `bun run bench:http`, in a process of its own so the
 * load generator does not share its event loop: the app on a seeded PGlite (on a
 * thread of its own, as `bun run start` opens it) and
 * the given Redis, and a raw `Bun.serve` answering with the exact bytes of
 * the cached menu and config (the ceiling), plus an app route answering with
 * the menu bytes from memory (what an in-process cache layer could reach at
 * best), and the authenticated config route without its auth. Prints one
 * JSON line with the URLs, then serves until SIGTERM.
 */
import { createRoute } from "@hono/zod-openapi";
import { createServedApp } from "../src/app";
import { loadConfig } from "../src/config";
import { sendCachedJson } from "../src/http/cached-json";
import { idParams } from "../src/http/schemas";
import { createLogger } from "../src/logger";
import { connectTcpRedis } from "../src/redis/tcp";
import { menuQuery } from "../src/routes/restaurants/restaurants.schemas";
import { seededDatabase } from "./support/seeded-database";

const config = loadConfig({ REDIS_PREFIX: process.env.BENCH_PREFIX ?? "bench", LOG_LEVEL: "silent" });
if (!config.REDIS_URL) throw new Error("bench/http-server.ts needs REDIS_URL");
const redis = await connectTcpRedis(config.REDIS_URL);
// PGlite on a thread of its own, as `bun run start` opens it (ADR 0034): not in the API's heap.
const database = await seededDatabase({
  url: config.DATABASE_URL,
  wsProxy: config.DATABASE_WS_PROXY,
  pgliteThread: true,
});
// As `bun run start` serves it: the fast path for cached public reads in front of the app.
const { app, fetch: serveApp } = createServedApp({ config, db: database.db, redis, logger: createLogger("silent") });
const token = process.env.BENCH_TOKEN ?? "";
// The Hono route at its best: the app's middleware and the menu route's validation, then bytes
// already in memory (what a hit cost before the fast path of ADR 0032, which /bench/… is not on).
// Routes must be added before the first request, so the bytes are filled in just after.
let menu = "";
let menuInMemory = new Uint8Array();
let menuInMemoryBlob = new Blob();
app.openapi(
  createRoute({
    method: "get",
    path: "/bench/menu-from-memory/{id}",
    request: { params: idParams, query: menuQuery },
    responses: { 200: { description: "The menu bytes" } },
  }),
  () => new Response(menuInMemoryBlob),
);
// The authenticated config route without its auth: the same validation, cache read and response.
app.openapi(
  createRoute({
    method: "get",
    path: "/bench/config-public/{id}",
    request: { params: idParams },
    responses: { 200: { description: "The config, as the cache holds it" } },
  }),
  async (c) => sendCachedJson(c, await c.var.services.restaurantReads.config(c.req.valid("param").id)),
);
menu = await (await app.request("/v1/restaurants/1/menu")).text();
menuInMemory = new TextEncoder().encode(menu);
menuInMemoryBlob = new Blob([menuInMemory], { type: "application/json" });
const api = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: serveApp });

const configBody = await (
  await app.request("/v1/restaurants/1/config", { headers: { authorization: `Bearer ${token}` } })
).text();
// The ceiling at its best: the bytes encoded once into a Blob (a Response shares a Blob's bytes
// where it copies a Uint8Array's, as the app's in-process layer does), no URL parsing.
const menuBytes = menuInMemory;
const menuBlob = new Blob([menuBytes], { type: "application/json" });
const configBlob = new Blob([configBody], { type: "application/json" });
const raw = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    return new Response(req.url.endsWith("/config") ? configBlob : menuBlob);
  },
});

console.log(
  JSON.stringify({
    api: `http://127.0.0.1:${api.port}`,
    raw: `http://127.0.0.1:${raw.port}`,
    menuBytes: menuBytes.length,
  }),
);
process.on("SIGTERM", async () => {
  api.stop(true);
  raw.stop(true);
  await database.close();
  redis.close();
  process.exit(0);
});
