import type { ExecutionContext } from "hono";
import { openNeonDatabase } from "../db/neon";
import { createApp } from "./app";
import { type Config, parseConfig } from "./config";
import { createLogger } from "./logger";
import { RestRedis } from "./redis/rest";

/**
 * The Cloudflare Workers entry: the same Hono app, Redis over Upstash REST and
 * PostgreSQL through the Neon serverless driver. It serves reads, takes
 * orders, dispatches jobs and serves monitoring; workers run on Bun.
 * Bindings (vars and secrets) are the configuration, parsed by the same zod schema.
 */
type Env = Record<string, unknown>;

let config: Config | undefined;

function configFrom(env: Env): Config {
  const parsed = parseConfig(env);
  if (!parsed.DATABASE_URL) throw new Error("DATABASE_URL is required on the edge (there is no embedded database)");
  if (!parsed.UPSTASH_REDIS_REST_URL || !parsed.UPSTASH_REDIS_REST_TOKEN) {
    throw new Error("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are required on the edge");
  }
  return parsed;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    config ??= configFrom(env);
    // Workers forbid I/O objects shared between requests, so each request gets its own
    // database pool and Redis client; the pool is closed after the response is sent.
    const database = openNeonDatabase(config.DATABASE_URL!, { wsProxy: config.DATABASE_WS_PROXY });
    const redis = new RestRedis({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! });
    const app = createApp({ config, db: database.db, redis, logger: createLogger(config.LOG_LEVEL) });
    const response = await app.fetch(request, env, ctx);
    ctx.waitUntil(database.close());
    return response;
  },
};
