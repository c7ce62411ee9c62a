/**
 * The thread side of db/pglite-thread.ts: owns one PGlite and answers the owning thread's
 * messages (queries, transactions, serving, snapshots, close), one reply per request id.
 */
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { type PgliteServer, servePglite } from "./pglite-server";
import type { ThreadReply, ThreadRequest, WireQuery } from "./pglite-thread";

declare const self: Worker;

let pglite: PGlite | undefined;
let server: PgliteServer | undefined;

/** An open transaction: the queries sent for it wait here until its callback takes them. */
type OpenTransaction = { queue: ThreadRequest[]; wake?: () => void };
const transactions = new Map<number, OpenTransaction>();

function reply(message: ThreadReply): void {
  self.postMessage(message);
}

/** Postgres' error fields (SQLSTATE, constraint, …) travel as plain data; the stack stays here. */
function errorFacts(error: unknown): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (error instanceof Error) {
    facts.message = error.message;
    facts.name = error.name;
  } else {
    facts.message = String(error);
  }
  if (error && typeof error === "object") {
    for (const [key, value] of Object.entries(error)) {
      if (["string", "number", "boolean"].includes(typeof value)) facts[key] = value;
    }
  }
  return facts;
}

/** The caller's parsers run on the owning thread: their types come back as Postgres' text. */
function run(target: Pick<PGlite, "query"> | Transaction, query: WireQuery) {
  const parsers = Object.fromEntries(query.rawTypes.map((type) => [type, (text: string) => text]));
  return target.query(query.sql, query.params, { rowMode: query.rowMode, parsers });
}

async function answer(id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    reply({ id, ok: true, value: await work() });
  } catch (error) {
    reply({ id, ok: false, error: errorFacts(error) });
  }
}

/** Runs one transaction: its queries in order until the owning thread commits or rolls it back. */
async function transaction(id: number, txId: number): Promise<void> {
  const open: OpenTransaction = { queue: [] };
  transactions.set(txId, open);
  const rollback = new Error("rolled back by the owning thread");
  let started = false;
  // The commit or rollback request that ended the transaction: it hears how it went.
  let endId: number | undefined;
  try {
    await pglite!.transaction(async (tx) => {
      started = true;
      reply({ id, ok: true, value: null });
      for (;;) {
        const next = open.queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => {
            open.wake = resolve;
          });
          open.wake = undefined;
          continue;
        }
        if (next.op === "query") {
          await answer(next.id, () => run(tx, next.query));
          continue;
        }
        endId = next.id;
        if (next.op === "rollback") throw rollback;
        return;
      }
    });
    reply({ id: endId!, ok: true, value: null });
  } catch (error) {
    if (error === rollback) reply({ id: endId!, ok: true, value: null });
    // Before it started (BEGIN failed) the begin request hears it; after, the commit (a deferred constraint).
    else reply({ id: started ? (endId ?? id) : id, ok: false, error: errorFacts(error) });
  } finally {
    transactions.delete(txId);
  }
}

self.onmessage = (event: MessageEvent<ThreadRequest>) => {
  const request = event.data;
  if ("tx" in request && request.tx !== undefined && request.op !== "begin") {
    const open = transactions.get(request.tx);
    if (!open) {
      reply({ id: request.id, ok: false, error: { message: "the transaction has already ended" } });
      return;
    }
    open.queue.push(request);
    open.wake?.();
    return;
  }
  switch (request.op) {
    case "open":
      void answer(request.id, async () => {
        pglite = await PGlite.create({ dataDir: request.dataDir, loadDataDir: request.snapshot });
        return null;
      });
      return;
    case "query":
      void answer(request.id, () => run(pglite!, request.query));
      return;
    case "begin":
      void transaction(request.id, request.tx);
      return;
    case "serve":
      void answer(request.id, async () => {
        server ??= servePglite(pglite!);
        return server.address;
      });
      return;
    case "dump":
      void answer(request.id, async () => new Uint8Array(await (await pglite!.dumpDataDir("none")).arrayBuffer()));
      return;
    case "close":
      void answer(request.id, async () => {
        server?.stop();
        server = undefined;
        await pglite?.close();
        return null;
      });
      return;
    default:
      reply({ id: (request as { id: number }).id, ok: false, error: { message: "unknown request" } });
  }
};

reply({ id: 0, ok: true, value: "ready" });
