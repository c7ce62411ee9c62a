import { PGlite } from "@electric-sql/pglite";
import { Pool } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { type Database, schema } from "./database";
import { useNeonProxy } from "./neon";
import { startWsProxy, type WsProxy } from "./ws-proxy";

export type { Database, Schema } from "./database";

export type DatabaseHandle = {
  db: Database;
  kind: "pglite" | "neon";
  /** The PGlite instance, when embedded (for snapshots in tests). */
  pglite?: PGlite;
  close(): Promise<void>;
};

export type DatabaseOptions = {
  /** Neon/Postgres connection string; absent → embedded PGlite. */
  url?: string;
  /** `host:port` of a WebSocket→TCP proxy, or `embedded` to start one in-process. */
  wsProxy?: string;
  /** PGlite data directory; absent → in-memory. */
  pgliteDir?: string;
  /** A PGlite snapshot (from `dumpDataDir`) to start from. */
  pgliteSnapshot?: Blob | File;
  /** Called with every SQL statement the app issues (query counting in tests). */
  onQuery?: (sql: string) => void;
};

function logger(onQuery?: (sql: string) => void): Logger | undefined {
  return onQuery ? { logQuery: (sql) => onQuery(sql) } : undefined;
}

/** One in-process proxy per process: neonConfig is global, so every pool shares it. */
let embeddedProxy: WsProxy | undefined;

/** Opens the database the configuration names: Neon over WebSocket, or embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    if (options.wsProxy === "embedded") {
      if (!embeddedProxy) {
        embeddedProxy = startWsProxy();
        // The proxy lives as long as the pools using it; it must not keep a finished process alive.
        embeddedProxy.unref();
      }
      useNeonProxy(embeddedProxy.address);
    } else if (options.wsProxy) {
      useNeonProxy(options.wsProxy);
    }
    const pool = new Pool({ connectionString: options.url, max: 10 });
    // An idle connection the server closes (restart, failover, a dropped database) is
    // replaced on the next query; without a listener its error would crash the process.
    pool.on("error", () => {});
    const db = drizzleNeon({ client: pool, schema, logger: logger(options.onQuery) }) as unknown as Database;
    return {
      db,
      kind: "neon",
      async close() {
        await pool.end();
      },
    };
  }
  const pglite = await PGlite.create({
    dataDir: options.pgliteDir,
    loadDataDir: options.pgliteSnapshot,
  });
  const db = drizzlePglite({ client: pglite, schema, logger: logger(options.onQuery) }) as unknown as Database;
  return { db, kind: "pglite", pglite, close: () => pglite.close() };
}

/** The database the configuration names: Neon when `DATABASE_URL` is set, else PGlite in `PGLITE_DIR`. */
export function openConfiguredDatabase(
  config: { DATABASE_URL?: string; DATABASE_WS_PROXY?: string; PGLITE_DIR: string },
  options: Pick<DatabaseOptions, "onQuery"> = {},
): Promise<DatabaseHandle> {
  return openDatabase({
    url: config.DATABASE_URL,
    wsProxy: config.DATABASE_WS_PROXY,
    pgliteDir: config.DATABASE_URL ? undefined : config.PGLITE_DIR,
    ...options,
  });
}
