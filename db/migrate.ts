import type { NeonDatabase } from "drizzle-orm/neon-serverless";
import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { DatabaseHandle, Schema } from "./client";

const migrationsFolder = new URL("./migrations", import.meta.url).pathname;

/** Applies the SQL migrations in db/migrations that have not run yet. */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase<Schema>, { migrationsFolder });
  } else {
    await migrateNeon(handle.db as unknown as NeonDatabase<Schema>, { migrationsFolder });
  }
}

if (import.meta.main) {
  const { loadConfig } = await import("../src/config");
  const { openConfiguredDatabaseOrExit } = await import("./client");
  const { parseCommandLine } = await import("../src/runtime/command-line");
  parseCommandLine({
    usage: `bun run db:migrate

  Applies the SQL migrations in db/migrations that have not run yet to the configured database
  (DATABASE_URL, else PGlite in PGLITE_DIR, or the one \`bun run dev\` serves).`,
  });
  const config = loadConfig();
  const handle = await openConfiguredDatabaseOrExit(config);
  const started = performance.now();
  await runMigrations(handle);
  console.log(`migrations applied (${handle.kind}) in ${Math.round(performance.now() - started)} ms`);
  await handle.close();
}
