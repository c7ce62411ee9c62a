import { type DatabaseHandle, openDatabase } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seedDatabase } from "../../db/seed";

/** An in-memory PGlite, migrated and seeded with the demo world (the same data the tests use). */
export async function seededDatabase(onQuery?: (sql: string) => void): Promise<DatabaseHandle> {
  const handle = await openDatabase({ onQuery });
  await runMigrations(handle);
  await seedDatabase(handle.db);
  return handle;
}
