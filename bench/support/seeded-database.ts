import { sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seedDatabase } from "../../db/seed";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A migrated database seeded with the demo world (the same data the tests
 * use): an in-memory PGlite, or, given a Postgres `url`, a database of its own
 * on that server, dropped again by `close()`.
 */
export async function seededDatabase(
  options: {
    onQuery?: (sql: string) => void;
    url?: string;
    wsProxy?: string;
    /** PGlite on a thread of its own, as `bun run start` and `bun run dev` open it (ADR 0034). */
    pgliteThread?: boolean;
  } = {},
): Promise<DatabaseHandle> {
  if (!options.url) {
    const handle = await openDatabase({ onQuery: options.onQuery, pgliteThread: options.pgliteThread });
    await runMigrations(handle);
    await seedDatabase(handle.db);
    return handle;
  }
  const name = `fh_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = await openDatabase({ url: options.url, wsProxy: options.wsProxy });
  await admin.db.execute(sql.raw(`create database "${name}"`));
  const handle = await openDatabase({
    url: withDatabase(options.url, name),
    wsProxy: options.wsProxy,
    onQuery: options.onQuery,
  });
  await runMigrations(handle);
  await seedDatabase(handle.db);
  return {
    ...handle,
    async close() {
      await handle.close();
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}
