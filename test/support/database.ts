import { readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seedDatabase } from "../../db/seed";
import { loadConfig } from "../../src/config";

/**
 * Test databases. Building a migrated, seeded database is slow (PGlite ~2 s
 * plus the seed), so it is built once per run and every test file gets its
 * own copy: a PGlite opened from a `dumpDataDir` snapshot, or on Postgres a
 * database created from a template.
 */

export type TestDatabase = DatabaseHandle & {
  /** Statements issued since the last `resetQueryCount()`. */
  queries: string[];
  resetQueryCount(): void;
  /** On Postgres: this copy's connection string, for other processes. */
  url?: string;
};

const dbDir = new URL("../../db/", import.meta.url).pathname;

function fingerprint(): string {
  const hasher = new Bun.CryptoHasher("sha1");
  for (const file of readdirSync(`${dbDir}migrations`).sort()) {
    if (file.endsWith(".sql")) hasher.update(readFileSync(`${dbDir}migrations/${file}`));
  }
  for (const file of readdirSync(dbDir, { recursive: true }).map(String).sort()) {
    if (file.startsWith("seed") && file.endsWith(".ts")) hasher.update(readFileSync(`${dbDir}${file}`));
  }
  return hasher.digest("hex").slice(0, 12);
}

let pgliteSnapshot: Promise<Blob> | undefined;

async function buildPgliteSnapshot(): Promise<Blob> {
  const handle = await openDatabase({});
  await runMigrations(handle);
  await seedDatabase(handle.db);
  const blob = await handle.pglite!.dumpDataDir("none");
  await handle.close();
  return blob;
}

let pgTemplate: Promise<string> | undefined;
let copies = 0;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function buildPostgresTemplate(url: string, wsProxy?: string): Promise<string> {
  const name = `fh_tpl_${fingerprint()}`;
  const admin = await openDatabase({ url, wsProxy });
  try {
    // Templates of older migrations or seeds are never used again.
    const stale = await admin.db.execute(
      sql`select datname from pg_database where datname like 'fh_tpl_%' and datname <> ${name} and datname not like ${`${name}%`}`,
    );
    for (const row of (stale as unknown as { rows: Array<{ datname: string }> }).rows) {
      await admin.db.execute(sql.raw(`drop database if exists "${row.datname}" with (force)`));
    }
    const found = await admin.db.execute(sql`select 1 from pg_database where datname = ${name}`);
    if ((found as unknown as { rows: unknown[] }).rows.length > 0) return name;
    const building = `${name}_${process.pid}`;
    await admin.db.execute(sql.raw(`drop database if exists "${building}"`));
    await admin.db.execute(sql.raw(`create database "${building}"`));
    const target = await openDatabase({ url: withDatabase(url, building), wsProxy });
    await runMigrations(target);
    await seedDatabase(target.db);
    await target.close();
    await admin.db.execute(sql.raw(`alter database "${building}" rename to "${name}"`));
    return name;
  } finally {
    await admin.close();
  }
}

function track(onQuery: (sql: string) => void) {
  const queries: string[] = [];
  return {
    queries,
    hook: (statement: string) => {
      queries.push(statement);
      onQuery(statement);
    },
  };
}

/** A migrated, seeded database of this test file's own. Close it in afterAll. */
export async function testDatabase(
  options: {
    onQuery?: (sql: string) => void;
    /** PGlite only: on a thread of its own (ADR 0034). */
    thread?: boolean;
  } = {},
): Promise<TestDatabase> {
  const config = loadConfig();
  const tracker = track(options.onQuery ?? (() => {}));
  let handle: DatabaseHandle & { url?: string };
  if (!config.DATABASE_URL) {
    pgliteSnapshot ??= buildPgliteSnapshot();
    handle = await openDatabase({
      pgliteSnapshot: await pgliteSnapshot,
      onQuery: tracker.hook,
      pgliteThread: options.thread,
    });
  } else {
    const url = config.DATABASE_URL;
    pgTemplate ??= buildPostgresTemplate(url, config.DATABASE_WS_PROXY);
    const template = await pgTemplate;
    copies += 1;
    const name = `fh_t_${process.pid}_${copies}`;
    const admin = await openDatabase({ url, wsProxy: config.DATABASE_WS_PROXY });
    await admin.db.execute(sql.raw(`drop database if exists "${name}"`));
    await admin.db.execute(sql.raw(`create database "${name}" template "${template}"`));
    const copy = await openDatabase({
      url: withDatabase(url, name),
      wsProxy: config.DATABASE_WS_PROXY,
      onQuery: tracker.hook,
    });
    handle = {
      ...copy,
      url: withDatabase(url, name),
      async close() {
        await copy.close();
        await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
        await admin.close();
      },
    };
  }
  return {
    ...handle,
    queries: tracker.queries,
    resetQueryCount() {
      tracker.queries.length = 0;
    },
  };
}
