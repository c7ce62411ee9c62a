/**
 * The embedded PGlite on a thread of its own (ADR 0034). In the process that serves the API, a
 * PGlite on the main thread puts its database (hundreds of MiB of WASM memory and file buffers)
 * in the same heap as every request, and every allocation a request makes pays for it: in one
 * process under wrk, an allocating request cost ~9 µs more with a seeded PGlite beside it, and no
 * more than noise with the same PGlite on a worker thread. Its queries also run beside the
 * requests instead of between them.
 *
 * `PgliteThread` speaks the part of PGlite's interface drizzle's PGlite driver uses (`query`,
 * `transaction`), plus serving the database to local processes (db/pglite-server.ts, on the
 * thread), a snapshot and close. The caller's value parsers run here, on the text the thread
 * returns for their types; Postgres' error fields (SQLSTATE, constraint, table, column) come back
 * on the Error.
 */
import type { Results } from "@electric-sql/pglite";

/** A query as it crosses to the thread. */
export type WireQuery = {
  sql: string;
  params: unknown[];
  rowMode: "array" | "object";
  /** Types whose parser the owning thread applies: the thread returns their text. */
  rawTypes: number[];
};

export type ThreadRequest =
  | { id: number; op: "open"; dataDir?: string; snapshot?: Blob }
  | { id: number; op: "query"; query: WireQuery; tx?: number }
  | { id: number; op: "begin"; tx: number }
  | { id: number; op: "commit" | "rollback"; tx: number }
  | { id: number; op: "serve" | "dump" | "close" };

export type ThreadReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: Record<string, unknown> };

type QueryOptions = {
  rowMode?: "array" | "object";
  parsers?: Record<number, (text: string, type: number) => unknown>;
};

/** The part of a PGlite transaction drizzle uses. */
export type ThreadTransaction = {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
};

function failure(facts: Record<string, unknown>): Error {
  const { message, name: _name, ...fields } = facts;
  return Object.assign(new Error(String(message ?? "PGlite failed")), fields);
}

/** Bun's Worker: `ref`/`unref` decide whether it keeps the process alive. */
type BunWorker = Worker & { ref(): void; unref(): void };

export class PgliteThread {
  #worker: BunWorker;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #nextTx = 1;
  #closed = false;
  #crashed: Error | undefined;

  private constructor(worker: BunWorker) {
    this.#worker = worker;
    // The thread keeps the process alive only while a request waits on it, as PGlite in process does.
    worker.unref();
    worker.onmessage = (event: MessageEvent<ThreadReply>) => this.#settle(event.data);
    worker.onerror = (event) => this.#crash(new Error(`the PGlite thread failed: ${event.message}`));
    // A thread that ends on its own (WASM abort, out of memory) fails what waits on it and what comes after.
    worker.addEventListener("close", () => {
      if (!this.#closed)
        this.#crash(new Error("the PGlite thread ended; restart the process to open the database again"));
    });
  }

  /** Starts the thread and opens the database there: `dataDir` on disk, else in memory. */
  static async start(options: { dataDir?: string; snapshot?: Blob } = {}): Promise<PgliteThread> {
    const worker = new Worker(new URL("./pglite-thread-worker.ts", import.meta.url).href) as BunWorker;
    const thread = new PgliteThread(worker);
    // Id 0 is the thread's own "ready": nothing is sent before it is listening.
    await thread.#expect(0);
    try {
      await thread.#request({ op: "open", dataDir: options.dataDir, snapshot: options.snapshot });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return thread;
  }

  query<T>(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<Results<T>> {
    return this.#query<T>(sql, params, options);
  }

  /** Runs `callback` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const tx = this.#nextTx++;
    await this.#request({ op: "begin", tx });
    let result: T;
    try {
      result = await callback({ query: (sql, params = [], options = {}) => this.#query(sql, params, options, tx) });
    } catch (error) {
      // The callback's error is the one to report; a failed rollback (a dead thread) fails what comes next anyway.
      await this.#request({ op: "rollback", tx }).catch(() => {});
      throw error;
    }
    await this.#request({ op: "commit", tx });
    return result;
  }

  /** Serves the database to other local processes (db/pglite-server.ts) from the thread; its address. */
  serve(): Promise<string> {
    return this.#request({ op: "serve" }) as Promise<string>;
  }

  /** The data directory as a tarball PGlite can start from (`loadDataDir`). */
  async dumpDataDir(): Promise<Blob> {
    return new Blob([(await this.#request({ op: "dump" })) as Uint8Array<ArrayBuffer>]);
  }

  /** Closes the database (a file-backed one is flushed to disk) and ends the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#request({ op: "close" });
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }

  async #query<T>(sql: string, params: unknown[], options: QueryOptions, tx?: number): Promise<Results<T>> {
    const parsers = options.parsers ?? {};
    const rawTypes = Object.keys(parsers).map(Number);
    const rowMode = options.rowMode ?? "object";
    const results = (await this.#request({ op: "query", query: { sql, params, rowMode, rawTypes }, tx })) as Results<T>;
    if (rawTypes.length > 0) parseRows(results, parsers, rowMode);
    return results;
  }

  #request(request: DistributiveOmit<ThreadRequest, "id">): Promise<unknown> {
    if (this.#crashed) return Promise.reject(this.#crashed);
    if (this.#closed) return Promise.reject(new Error("the database is closed"));
    const id = this.#nextId++;
    const answer = this.#expect(id);
    try {
      this.#worker.postMessage({ ...request, id });
    } catch (error) {
      // A value the thread cannot receive (a function, a symbol): this request fails, nothing else.
      this.#settle({
        id,
        ok: false,
        error: { message: `cannot send this query to the PGlite thread: ${(error as Error).message}` },
      });
    }
    return answer;
  }

  #expect(id: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
    });
  }

  #settle(reply: ThreadReply): void {
    const waiting = this.#pending.get(reply.id);
    if (!waiting) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(failure(reply.error));
  }

  #crash(error: Error): void {
    this.#crashed = error;
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
    this.#worker.unref();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Applies the caller's parsers to the columns of their types, which the thread left as text. */
function parseRows(
  results: Results<unknown>,
  parsers: Record<number, (text: string, type: number) => unknown>,
  rowMode: "array" | "object",
): void {
  const columns: { at: number | string; type: number; parse: (text: string, type: number) => unknown }[] = [];
  results.fields.forEach((field, index) => {
    const parse = parsers[field.dataTypeID];
    if (parse) columns.push({ at: rowMode === "array" ? index : field.name, type: field.dataTypeID, parse });
  });
  if (columns.length === 0) return;
  for (const row of results.rows as Record<number | string, unknown>[]) {
    for (const { at, type, parse } of columns) {
      const text = row[at];
      if (typeof text === "string") row[at] = parse(text, type);
    }
  }
}
