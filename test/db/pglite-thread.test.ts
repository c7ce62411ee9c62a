import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, count, eq, sql } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { orders, restaurants, users } from "../../db/schema";
import { sqlStateOf } from "../../src/kernel/database-errors";
import { type TestDatabase, testDatabase } from "../support/database";

/**
 * The embedded PGlite on a thread of its own (db/pglite-thread.ts, ADR 0034) must answer exactly
 * as PGlite on the caller's thread does: the same rows and value types, transactions that commit,
 * roll back and never take in a query from outside, and Postgres' error fields.
 */
const config = { pglite: !process.env.DATABASE_URL };
let threaded: TestDatabase;
let inProcess: TestDatabase;

beforeAll(async () => {
  if (!config.pglite) return;
  [threaded, inProcess] = await Promise.all([testDatabase({ thread: true }), testDatabase()]);
}, 120_000);

afterAll(async () => {
  await threaded?.close();
  await inProcess?.close();
});

describe.skipIf(!config.pglite)("PGlite on a thread of its own", () => {
  it("is on a thread: the handle holds no PGlite of this thread's", () => {
    expect(threaded.pglite).toBeUndefined();
    expect(threaded.pgliteThread).toBeDefined();
    expect(inProcess.pglite).toBeDefined();
  });

  it("returns the same rows, with the same value types, as PGlite on this thread", async () => {
    const reads = async (handle: TestDatabase) => ({
      relational: await handle.db.query.restaurants.findMany({
        with: { branches: true },
        orderBy: asc(restaurants.id),
        limit: 3,
      }),
      builder: await handle.db
        .select({ id: orders.id, status: orders.status, total: orders.totalCents, at: orders.createdAt })
        .from(orders)
        .orderBy(asc(orders.id))
        .limit(5),
      raw: (
        (await handle.db.execute(
          sql`select now()::date as day, '2026-12-07 10:00:00+00'::timestamptz as at, '{"a":[1,2]}'::jsonb as doc,
                     12.50::numeric(10,2) as amount, 9007199254740993::int8 as big, '\\x0102'::bytea as bytes,
                     interval '90 minutes' as span, null::timestamptz as missing`,
        )) as unknown as { rows: Record<string, unknown>[] }
      ).rows,
    });
    const [ours, theirs] = await Promise.all([reads(threaded), reads(inProcess)]);
    expect(ours.relational.length).toBeGreaterThan(0);
    expect(ours.builder.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
    // drizzle's parsers ran on this thread: a timestamp column is a Date, raw timestamps stay text.
    expect(ours.builder[0]!.at).toBeInstanceOf(Date);
    expect(ours.raw[0]).toMatchObject({ at: expect.any(String), span: expect.any(String), missing: null });
  });

  it("commits a transaction, and rolls back one that throws, nested savepoints included", async () => {
    const email = (tag: string) => `thread-${tag}-${crypto.randomUUID()}@example.test`;
    const kept = email("kept");
    const dropped = email("dropped");
    const inner = email("inner");
    await threaded.db.transaction(async (tx) => {
      await tx.insert(users).values({ email: kept, name: "Kept" });
      await tx
        .transaction(async (nested) => {
          await nested.insert(users).values({ email: inner, name: "Inner" });
          throw new Error("undo the savepoint");
        })
        .catch(() => {});
    });
    // (Not `expect(…).rejects`: in bun:test 1.4.4 it never sees a worker's reply once the test has awaited one.)
    const failed = await threaded.db
      .transaction(async (tx) => {
        await tx.insert(users).values({ email: dropped, name: "Dropped" });
        throw new Error("no");
      })
      .then(
        () => "committed",
        (error: Error) => error.message,
      );
    expect(failed).toBe("no");
    const found = async (address: string) =>
      (await threaded.db.select({ n: count() }).from(users).where(eq(users.email, address)))[0]!.n;
    expect([await found(kept), await found(inner), await found(dropped)]).toEqual([1, 0, 0]);
  });

  it("never runs a query from outside inside an open transaction", async () => {
    const inside = `thread-inside-${crypto.randomUUID()}@example.test`;
    const outside = `thread-outside-${crypto.randomUUID()}@example.test`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const open = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const transaction = threaded.db
      .transaction(async (tx) => {
        await tx.insert(users).values({ email: inside, name: "Inside" });
        entered();
        await held;
        throw new Error("roll it back");
      })
      .catch((error: Error) => error.message);
    await open;
    // Sent while the transaction is open: it must wait for it, not join it (and be rolled back with it).
    const write = threaded.db.insert(users).values({ email: outside, name: "Outside" });
    const writeDone = write.then(() => "written");
    await Bun.sleep(50);
    release();
    expect(await transaction).toBe("roll it back");
    expect(await writeDone).toBe("written");
    const emails = await threaded.db
      .select({ email: users.email })
      .from(users)
      .where(sql`${users.email} in (${inside}, ${outside})`);
    expect(emails.map((row) => row.email)).toEqual([outside]);
  });

  it("reports Postgres' error fields (SQLSTATE, constraint) and keeps working after an error", async () => {
    const [someone] = await threaded.db.select({ email: users.email }).from(users).limit(1);
    const error = await threaded.db
      .insert(users)
      .values({ email: someone!.email, name: "Twin" })
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(sqlStateOf(error)).toBe("23505");
    expect((error as { cause?: { constraint?: string } }).cause?.constraint).toBe("users_email_unique");
    expect(
      await threaded.db.execute(sql`select 1 as one`).then((result) => (result as { rows: unknown[] }).rows),
    ).toEqual([{ one: 1 }]);
  });

  it("fails a query whose values cannot cross to the thread, and only that query", async () => {
    const thread = threaded.pgliteThread!;
    const refused = await thread.query("select $1::text as v", [() => "a function"]).then(
      () => "answered",
      (error: Error) => error.message,
    );
    expect(refused).toContain("cannot send this query to the PGlite thread");
    expect((await thread.query<{ v: string }>("select $1::text as v", ["fine"])).rows).toEqual([{ v: "fine" }]);
  });

  it("answers many concurrent queries each with its own result", async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        threaded.db.execute(sql`select ${i}::int as n`).then((r) => (r as { rows: { n: number }[] }).rows[0]!.n),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe.skipIf(!config.pglite)("a file-backed PGlite (what `bun run dev` and `bun run start` open)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fh-pglite-thread-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs on its thread, keeps its data across a close, and serves it to other processes", async () => {
    const first = await openDatabase({ pgliteDir: dir, mustOwn: true });
    expect(first.pgliteThread).toBeDefined();
    await runMigrations(first);
    await first.db.insert(users).values({ email: "kept@example.test", name: "Kept" });
    const address = await first.serve!();
    // Another process's view: the Neon driver through the served address.
    const child = Bun.spawn(
      [
        "bun",
        "-e",
        `const { openDatabase } = await import(${JSON.stringify(new URL("../../db/client.ts", import.meta.url).pathname)});
         const { sql } = await import("drizzle-orm");
         const h = await openDatabase({ url: "postgres://postgres@${address}/postgres", wsProxy: "${address}" });
         const r = await h.db.execute(sql\`select email from users where email = 'kept@example.test'\`);
         console.log(JSON.stringify(r.rows));
         await h.close();`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect({ code, rows: JSON.parse(out.trim() || "null") }).toEqual({
      code: 0,
      rows: [{ email: "kept@example.test" }],
    });
    await first.close();

    const again = await openDatabase({ pgliteDir: dir, mustOwn: true });
    const rows = await again.db.select({ email: users.email }).from(users);
    expect(rows).toEqual([{ email: "kept@example.test" }]);
    await again.close();
  }, 60_000);

  it("does not keep a finished command alive when it forgets to close the database", async () => {
    const child = Bun.spawn(
      [
        "bun",
        "-e",
        `const { openDatabase } = await import(${JSON.stringify(new URL("../../db/client.ts", import.meta.url).pathname)});
         const { sql } = await import("drizzle-orm");
         const h = await openDatabase({ pgliteThread: true });
         const r = await h.db.execute(sql\`select 41 + 1 as n\`);
         console.log(r.rows[0].n);`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const timeout = setTimeout(() => child.kill(), 30_000);
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    clearTimeout(timeout);
    expect({ out: out.trim(), code }).toEqual({ out: "42", code: 0 });
  }, 40_000);
});
