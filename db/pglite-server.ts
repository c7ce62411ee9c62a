import type { PGlite } from "@electric-sql/pglite";

/**
 * Serves an in-process PGlite to other local processes (the ops CLI, an extra worker, `bun run
 * token`) on a loopback port, in the transport the Neon driver speaks through a ws proxy: the
 * Postgres wire protocol inside binary WebSocket frames. A client reaches it with
 * `DATABASE_URL=postgres://postgres@<address>/postgres` and `DATABASE_WS_PROXY=<address>`.
 *
 * PGlite is one session. A connection therefore holds PGlite's transaction lock for a whole turn:
 * from its first message until PGlite answers every Sync / Query it sent with ReadyForQuery while
 * idle. So no other connection, and no query of the owning process, lands between its Parse / Bind
 * / Execute messages or inside its transaction; the owner's own queries and transactions take the
 * same lock, so they never interleave with a turn either.
 */
export type PgliteServer = { address: string; stop(): void };

const SSL_REQUEST = 80877103;
const TERMINATE = 0x58;
const SYNC = 0x53;
const QUERY = 0x51;
const READY_FOR_QUERY = 0x5a;

type Session = {
  /** Bytes of a client message not complete yet. */
  tail: Uint8Array;
  /** Bytes of a server reply not complete yet. */
  replyTail: Uint8Array;
  messages: Uint8Array[];
  startupSeen: boolean;
  /** ReadyForQuery replies still owed for the Syncs / Queries sent. */
  owed: number;
  /** The last ReadyForQuery status: I (idle), T (in a transaction) or E (failed transaction). */
  status: number;
  closed: boolean;
  send(bytes: Uint8Array): void;
  /** Wakes the turn when more messages arrive. */
  wake?: () => void;
};

export function servePglite(pglite: PGlite, options: { port?: number } = {}): PgliteServer {
  const waiting: Session[] = [];
  let holder: Session | undefined;

  function request(session: Session): void {
    if (holder === session || waiting.includes(session)) {
      session.wake?.();
      return;
    }
    if (holder) waiting.push(session);
    else void takeTurn(session);
  }

  async function takeTurn(session: Session): Promise<void> {
    holder = session;
    try {
      await pglite._runExclusiveTransaction(() => runTurn(session));
    } finally {
      holder = undefined;
      // Messages that came in as the turn ended wait for the next one.
      if (session.messages.length > 0 && !session.closed) waiting.push(session);
      const next = waiting.shift();
      if (next) void takeTurn(next);
    }
  }

  /** Runs the session's messages until it is idle with nothing owed (or gone). */
  async function runTurn(session: Session): Promise<void> {
    for (;;) {
      const message = session.messages.shift();
      if (message) {
        await execute(session, message);
        continue;
      }
      // The turn ends once every request is answered and no transaction is open.
      if (session.owed === 0 && session.status === 0x49) return;
      if (session.closed) return abandon(session);
      await new Promise<void>((resolve) => {
        session.wake = resolve;
      });
      session.wake = undefined;
    }
  }

  function execute(session: Session, message: Uint8Array): Promise<void> {
    return pglite._runExclusiveQuery(() =>
      pglite.execProtocolRawStream(message, {
        onRawData: (reply) => {
          trackReady(session, reply);
          if (!session.closed) session.send(reply);
        },
      }),
    );
  }

  /** A client gone mid-turn: end its unfinished request and transaction so the next one starts clean. */
  async function abandon(session: Session): Promise<void> {
    session.messages = [];
    if (session.owed > 0) {
      session.owed += 1;
      await execute(session, message(SYNC, new Uint8Array(0)));
    }
    if (session.status !== 0x49) {
      session.owed += 1;
      await execute(session, message(QUERY, new TextEncoder().encode("ROLLBACK\0")));
    }
  }

  const server = Bun.serve<Session, never>({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    fetch(req, srv) {
      const session: Session = {
        tail: new Uint8Array(0),
        replyTail: new Uint8Array(0),
        messages: [],
        startupSeen: false,
        owed: 0,
        status: 0x49,
        closed: false,
        send: () => {},
      };
      if (srv.upgrade(req, { data: session })) return undefined;
      return new Response("expected a WebSocket upgrade (the Neon driver's transport)", { status: 426 });
    },
    websocket: {
      open(ws) {
        ws.data.send = (bytes) => ws.sendBinary(bytes);
      },
      message(ws, data) {
        const session = ws.data;
        const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
        if (frame(session, bytes, () => ws.close())) request(session);
      },
      close(ws) {
        ws.data.closed = true;
        if (holder === ws.data) ws.data.wake?.();
        const queued = waiting.indexOf(ws.data);
        if (queued >= 0) waiting.splice(queued, 1);
      },
    },
  });
  return { address: `127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/**
 * Splits a client's bytes into whole messages, answers an SSL request itself (no) and drops
 * Terminate (PGlite's one session outlives every client). True when messages are ready.
 */
function frame(session: Session, bytes: Uint8Array, terminate: () => void): boolean {
  let buffer = concat(session.tail, bytes);
  let ready = false;
  for (;;) {
    if (!session.startupSeen) {
      // The startup (or SSL) message has no type byte: its int32 length comes first.
      if (buffer.length < 8 || buffer.length < readInt32(buffer, 0)) break;
      const length = readInt32(buffer, 0);
      if (readInt32(buffer, 4) === SSL_REQUEST) {
        session.send(new TextEncoder().encode("N"));
      } else {
        session.startupSeen = true;
        session.owed += 1;
        session.messages.push(buffer.slice(0, length));
        ready = true;
      }
      buffer = buffer.subarray(length);
      continue;
    }
    if (buffer.length < 5 || buffer.length < 1 + readInt32(buffer, 1)) break;
    const length = 1 + readInt32(buffer, 1);
    const type = buffer[0];
    if (type === TERMINATE) {
      terminate();
    } else {
      if (type === SYNC || type === QUERY) session.owed += 1;
      session.messages.push(buffer.slice(0, length));
      ready = true;
    }
    buffer = buffer.subarray(length);
  }
  session.tail = buffer.slice();
  return ready;
}

/** Counts ReadyForQuery in PGlite's replies and keeps the transaction status it reports. */
function trackReady(session: Session, reply: Uint8Array): void {
  let buffer = concat(session.replyTail, reply);
  while (buffer.length >= 5 && buffer.length >= 1 + readInt32(buffer, 1)) {
    if (buffer[0] === READY_FOR_QUERY) {
      session.owed = Math.max(0, session.owed - 1);
      session.status = buffer[5]!;
    }
    buffer = buffer.subarray(1 + readInt32(buffer, 1));
  }
  session.replyTail = buffer.slice();
}

function message(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function readInt32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getInt32(0);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
