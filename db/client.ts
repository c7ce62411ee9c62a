import { PGlite } from "@electric-sql/pglite";
import { Pool } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { type Database, schema } from "./database";
import { useNeonProxy } from "./neon";
import { claimPglite, PgliteInUseError, pgliteOwner } from "./pglite-owner";
import { PgliteThread } from "./pglite-thread";
import { startWsProxy, type WsProxy } from "./ws-proxy";

export type { Database, Schema } from "./database";

export type DatabaseHandle = {
  db: Database;
  /** `served`: the embedded PGlite another process owns and serves (db/pglite-server.ts). */
  kind: "pglite" | "neon" | "served";
  /** The PGlite instance, when embedded on this thread (for snapshots in tests). */
  pglite?: PGlite;
  /** The PGlite thread, when embedded on a thread of its own (db/pglite-thread.ts). */
  pgliteThread?: PgliteThread;
  /** A file-backed PGlite this process owns: serves it to other local processes; returns the address. */
  serve?(): Promise<string>;
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
  /**
   * An in-memory PGlite on a thread of its own, as a file-backed one always is (ADR 0034): the API's
   * heap then holds no database. Default false: on this thread (tests, which share a snapshot).
   */
  pgliteThread?: boolean;
  /** Called with every SQL statement the app issues (query counting in tests). */
  onQuery?: (sql: string) => void;
  /**
   * For a `pgliteDir` another process serves: refuse rather than connect to it (the dev command
   * must own its database). Default false: connect to it.
   */
  mustOwn?: boolean;
};

function logger(onQuery?: (sql: string) => void): Logger | undefined {
  return onQuery ? { logQuery: (sql) => onQuery(sql) } : undefined;
}

/** drizzle on a PGlite thread: it speaks the part of PGlite's interface the driver uses. */
function onThread(thread: PgliteThread, options: Pick<DatabaseOptions, "onQuery">): Database {
  return drizzlePglite({
    client: thread as unknown as PGlite,
    schema,
    logger: logger(options.onQuery),
  }) as unknown as Database;
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
  if (options.pgliteDir) return openPgliteDir(options.pgliteDir, options);
  if (options.pgliteThread) {
    const thread = await PgliteThread.start({ snapshot: options.pgliteSnapshot });
    return { db: onThread(thread, options), kind: "pglite", pgliteThread: thread, close: () => thread.close() };
  }
  const pglite = await PGlite.create({ loadDataDir: options.pgliteSnapshot });
  const db = drizzlePglite({ client: pglite, schema, logger: logger(options.onQuery) }) as unknown as Database;
  return { db, kind: "pglite", pglite, close: () => pglite.close() };
}

/**
 * A file-backed PGlite: the one place that decides between opening the directory (and locking
 * it, db/pglite-owner.ts) and connecting to the process that already has it open and serves it.
 */
async function openPgliteDir(dir: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const owner = pgliteOwner(dir);
  if (owner?.address && !options.mustOwn) {
    const served = await openDatabase({
      url: `postgres://postgres@${owner.address}/postgres`,
      wsProxy: owner.address,
      onQuery: options.onQuery,
    });
    return { ...served, kind: "served" };
  }
  const lock = claimPglite(dir);
  let thread: PgliteThread;
  try {
    // On a thread of its own (ADR 0034): the process serving the API keeps the database out of its heap.
    thread = await PgliteThread.start({ dataDir: dir, snapshot: options.pgliteSnapshot });
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    db: onThread(thread, options),
    kind: "pglite",
    pgliteThread: thread,
    async serve() {
      const address = await thread.serve();
      lock.serving(address);
      return address;
    },
    async close() {
      // Released in the reverse order: stop serving and close the files (on the thread), then give up the lock.
      await thread.close();
      lock.release();
    },
  };
}

/** The database the configuration names: Neon when `DATABASE_URL` is set, else PGlite in `PGLITE_DIR`. */
export function openConfiguredDatabase(
  config: { DATABASE_URL?: string; DATABASE_WS_PROXY?: string; PGLITE_DIR: string },
  options: Pick<DatabaseOptions, "onQuery" | "mustOwn"> = {},
): Promise<DatabaseHandle> {
  return openDatabase({
    url: config.DATABASE_URL,
    wsProxy: config.DATABASE_WS_PROXY,
    pgliteDir: config.DATABASE_URL ? undefined : config.PGLITE_DIR,
    ...options,
  });
}

/**
 * For commands: the configured database, or — when another process holds the embedded one
 * without serving it — that one clear message and exit code 1.
 */
export async function openConfiguredDatabaseOrExit(
  config: Parameters<typeof openConfiguredDatabase>[0],
  options: Parameters<typeof openConfiguredDatabase>[1] = {},
): Promise<DatabaseHandle> {
  try {
    return await openConfiguredDatabase(config, options);
  } catch (error) {
    if (!(error instanceof PgliteInUseError)) throw error;
    console.error(error.message);
    return process.exit(1);
  }
}
