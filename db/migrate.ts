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
  const { openConfiguredDatabase } = await import("./client");
  const config = loadConfig();
  const handle = await openConfiguredDatabase(config);
  const started = performance.now();
  await runMigrations(handle);
  console.log(`migrations applied (${handle.kind}) in ${Math.round(performance.now() - started)} ms`);
  await handle.close();
}
