import { openNeonDatabase } from "../db/neon";
import { createApp } from "./app";
import { createLogger } from "./logger";
import { RestRedis } from "./redis/rest";
import { edgeConfigOnce, invalidConfigResponse } from "./runtime/edge-config";

/**
 * The Deno 2 entry (`deno run -A src/deno.ts`): the same Hono app as on Bun and Workers, served by
 * `Deno.serve`, with Redis over Upstash REST (docs/decisions/0017) and PostgreSQL through the Neon
 * driver. Like the Workers entry it serves the API; queue workers run on Bun. Unlike Workers, one
 * database pool and one Redis client serve every request. The environment is the configuration,
 * parsed by the same zod schema; an invalid one answers every request with one 500.
 */
declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?(address: { hostname: string; port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  exit(code: number): never;
};

const environment = Deno.env.toObject();
const config = edgeConfigOnce()(environment);
// Released in the reverse order they were acquired.
const release: Array<() => Promise<void>> = [];

function handler(): (request: Request) => Response | Promise<Response> {
  if (config instanceof Error) return () => invalidConfigResponse(config);
  const database = openNeonDatabase(config.DATABASE_URL!, { wsProxy: config.DATABASE_WS_PROXY });
  release.unshift(() => database.close());
  const redis = new RestRedis({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! });
  const app = createApp({ config, db: database.db, redis, logger: createLogger(config.LOG_LEVEL) });
  return (request) => app.fetch(request);
}

// An invalid configuration still gets a server, so that every request is answered with its 500.
const port = config instanceof Error ? Number(environment.PORT ?? 8000) : config.PORT;
const server = Deno.serve(
  {
    port,
    hostname: config instanceof Error ? "127.0.0.1" : config.HOST,
    onListen: ({ port: bound }) => console.log(`deno: API on http://127.0.0.1:${bound}`),
  },
  handler(),
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.shutdown();
    for (const step of release.splice(0)) await step();
    Deno.exit(0);
  });
}
