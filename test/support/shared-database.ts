import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { loadConfig } from "../../src/config";
import type { TestDatabase } from "./database";

/** How a child process (a worker under test) reaches this test file's database. */
export type SharedDatabase = { env: Record<string, string>; stop(): Promise<void> };

/**
 * Makes a test database reachable from other processes: a Postgres copy
 * already is; an in-process PGlite is served over the Postgres wire protocol
 * (pglite-socket), which the Neon driver reaches through our ws proxy.
 */
export async function shareDatabase(database: TestDatabase): Promise<SharedDatabase> {
  if (database.url) {
    const wsProxy = loadConfig().DATABASE_WS_PROXY ?? "embedded";
    return { env: { DATABASE_URL: database.url, DATABASE_WS_PROXY: wsProxy }, stop: async () => {} };
  }
  if (!database.pglite) throw new Error("a test database is either a Postgres copy or a PGlite");
  const server = new PGLiteSocketServer({ db: database.pglite, host: "127.0.0.1", port: 0, maxConnections: 512 });
  await server.start();
  return {
    env: { DATABASE_URL: `postgres://postgres@${server.getServerConn()}/postgres`, DATABASE_WS_PROXY: "embedded" },
    stop: () => server.stop(),
  };
}
