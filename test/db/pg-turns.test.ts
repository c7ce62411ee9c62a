import { afterAll, beforeAll, expect, it } from "bun:test";
import { sql } from "drizzle-orm";
import { openNeonDatabase } from "../../db/neon";
import { startWsProxy, type WsProxy } from "../../db/ws-proxy";
import { type TestDatabase, testDatabase } from "../support/database";
import { type SharedDatabase, shareDatabase } from "../support/shared-database";

/**
 * PGlite is one session. Through pglite-socket, concurrent Neon connections each send
 * Parse/Bind/Execute/Sync; taking turns at the ws proxy keeps every result with its caller.
 */
let database: TestDatabase;
let shared: SharedDatabase;
let proxy: WsProxy;
let neon: ReturnType<typeof openNeonDatabase>;

beforeAll(async () => {
  database = await testDatabase();
  shared = await shareDatabase(database);
  proxy = startWsProxy(0, { takeTurns: true });
  neon = openNeonDatabase(shared.env.DATABASE_URL!, { wsProxy: proxy.address });
}, 120_000);

afterAll(async () => {
  await neon?.close();
  proxy?.stop();
  await shared?.stop();
  await database?.close();
});

it("answers each of many concurrent connections with its own result", async () => {
  const results = await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      // Each statement differs (its column name), so one bound to another's parse shows.
      const column = `n${i}`;
      const { rows } = (await neon.db.execute(
        sql`select ${i}::int as ${sql.identifier(column)}, ${"x".repeat(i)}::text as pad`,
      )) as unknown as { rows: Array<Record<string, number>> };
      return rows[0]?.[column];
    }),
  );
  expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
});

it("keeps each transaction's statements together while other connections wait", async () => {
  await neon.db.execute(sql`create table if not exists turn_probe (k int primary key, v text not null)`);
  const outcomes = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      neon.db
        .transaction(async (tx) => {
          const column = `c${i}`;
          await tx.execute(sql`insert into turn_probe values (${i}, ${`v${i}`})`);
          const { rows } = (await tx.execute(
            sql`select v as ${sql.identifier(column)} from turn_probe where k = ${i}`,
          )) as unknown as { rows: Array<Record<string, string>> };
          // A duplicate key in a loser makes the whole transaction roll back.
          await tx.execute(sql`insert into turn_probe values (${100 + (i % 2)}, 'shared') on conflict do nothing`);
          return rows[0]?.[column];
        })
        .catch((error: unknown) => `error: ${(error as Error).message}`),
    ),
  );
  expect(outcomes).toEqual(Array.from({ length: 12 }, (_, i) => `v${i}`));
});
