import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { type Database, schema } from "./database";

/**
 * The database on an edge runtime: drizzle over the Neon serverless driver
 * (WebSocket), without the embedded PGlite or the development proxy, so the
 * Workers bundle carries neither.
 */
/**
 * Routes the Neon driver through a WebSocket→TCP proxy (`host:port`), for a
 * plain PostgreSQL in development and CI; Neon itself needs none.
 */
export function useNeonProxy(address: string): void {
  neonConfig.wsProxy = (host, port) => `${address}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

export function openNeonDatabase(
  url: string,
  options: { wsProxy?: string } = {},
): { db: Database; close(): Promise<void> } {
  if (options.wsProxy) useNeonProxy(options.wsProxy);
  const pool = new Pool({ connectionString: url });
  // An idle connection closed by the server is replaced on the next query.
  pool.on("error", () => {});
  const db = drizzle({ client: pool, schema }) as unknown as Database;
  return { db, close: () => pool.end() };
}
