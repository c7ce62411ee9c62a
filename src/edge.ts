import type { ExecutionContext } from "hono";
import { openNeonDatabase } from "../db/neon";
import { runScheduledWork } from "../workers/scheduled-work";
import { createApp } from "./app";
import type { Config } from "./config";
import { createLogger } from "./logger";
import { RestRedis } from "./redis/rest";
import { provideDocsScript } from "./routes/docs/docs.index";
import scalarScript from "./routes/docs/scalar-script.generated.js";
import { edgeConfigOnce, invalidConfigResponse } from "./runtime/edge-config";
import { HttpRequestMetrics } from "./services/monitoring/http-request-metrics";

/**
 * The Cloudflare Workers entry: the same Hono app, Redis over Upstash REST and
 * PostgreSQL through the Neon serverless driver. It serves reads, takes
 * orders, dispatches jobs and serves monitoring; its Cron Trigger (`scheduled`)
 * sweeps, promotes, recovers and drains the queue for a deployment without a
 * Bun worker.
 * Bindings (vars and secrets) are the configuration, parsed by the same zod schema.
 */
type Env = Record<string, unknown>;
/** What a Cron Trigger call is given (Workers' `ScheduledController`, the part used here). */
type ScheduledEvent = { scheduledTime: number; cron: string };

const configFrom = edgeConfigOnce();
// No node_modules to read at the edge: /docs serves the copy embedded in the Worker.
provideDocsScript(scalarScript);
const httpMetrics = new HttpRequestMetrics();

/** Workers forbid I/O objects shared between requests, so each invocation opens its own pool and client. */
function openDeps(config: Config) {
  const database = openNeonDatabase(config.DATABASE_URL!, { wsProxy: config.DATABASE_WS_PROXY });
  const redis = new RestRedis({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! });
  const logger = createLogger(config.LOG_LEVEL);
  return {
    config,
    db: database.db,
    redis,
    logger,
    httpMetrics,
    perRequest: true,
    close: () => database.close(),
  };
}

/**
 * The response, its pool closed once the body has been sent: a streamed body (the CSV export) still
 * reads the database after the handler returned, so closing with the response emptied it.
 */
function closedAfterBody(response: Response, close: () => Promise<void>, ctx: ExecutionContext): Response {
  if (!response.body) {
    ctx.waitUntil(close());
    return response;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  ctx.waitUntil(
    response.body
      .pipeTo(writable)
      .catch(() => {
        // The client went away: the body's source was cancelled with it.
      })
      .finally(close),
  );
  return new Response(readable, response);
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = configFrom(env);
    if (config instanceof Error) return invalidConfigResponse(config);
    const deps = openDeps(config);
    const response = await createApp(deps).fetch(request, env, ctx);
    return closedAfterBody(response, deps.close, ctx);
  },

  /** The Cron Trigger (wrangler.toml `[triggers]`): one bounded round of scheduled work. */
  async scheduled(controller: ScheduledEvent, env: Env, ctx: ExecutionContext): Promise<void> {
    const config = configFrom(env);
    if (config instanceof Error) {
      createLogger("error").error("invalid configuration", { problems: config.problems });
      // Failed, so the Cron Trigger's history shows it.
      throw config;
    }
    const deps = openDeps(config);
    try {
      // Awaited, so a failure marks this call as failed in the Cron Trigger's history.
      await runScheduledWork({ ...deps, now: controller.scheduledTime });
    } finally {
      ctx.waitUntil(deps.close());
    }
  },
};
