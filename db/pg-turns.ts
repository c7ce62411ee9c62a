/**
 * Turn-taking for many Postgres wire connections onto one single-session database (PGlite behind
 * pglite-socket). pglite-socket queues single protocol messages, so the Parse/Bind/Execute/Sync
 * groups of two clients interleave and a client can read another's result; it only keeps a
 * client's turn inside a transaction. Here a connection holds the turn from its first byte until
 * the server has answered every Sync / Query it sent with ReadyForQuery while idle ('I'), and
 * the others' bytes wait. Only for a PGlite target: a real Postgres has a session per connection.
 */
export class PgTurns {
  #holder: PgTurn | undefined;
  readonly #waiting: PgTurn[] = [];

  /** One connection's side: `send` gates its bytes, `received` reads the server's replies. */
  connection(write: (bytes: Uint8Array) => void): PgTurn {
    return new PgTurn(this, write);
  }

  /** @internal */
  request(turn: PgTurn): void {
    if (this.#holder === turn || this.#waiting.includes(turn)) return;
    if (this.#holder) this.#waiting.push(turn);
    else this.#grant(turn);
  }

  /** @internal */
  release(turn: PgTurn): void {
    const queued = this.#waiting.indexOf(turn);
    if (queued >= 0) this.#waiting.splice(queued, 1);
    if (this.#holder !== turn) return;
    this.#holder = undefined;
    const next = this.#waiting.shift();
    if (next) this.#grant(next);
  }

  #grant(turn: PgTurn): void {
    this.#holder = turn;
    turn.granted();
  }
}

export class PgTurn {
  #pending: Uint8Array[] = [];
  #holding = false;
  /** Replies still owed: one ReadyForQuery per Sync, Query or startup message sent. */
  #owed = 0;
  #startupSeen = false;
  /** The client said Terminate: nothing more will be answered, so its turn ends once that is sent. */
  #terminated = false;
  #clientTail = new Uint8Array(0);
  #serverTail = new Uint8Array(0);

  constructor(
    readonly turns: PgTurns,
    readonly write: (bytes: Uint8Array) => void,
  ) {}

  /** Bytes from the client: forwarded now if this connection has the turn, else once it gets it. */
  send(bytes: Uint8Array): void {
    this.#countRequests(bytes);
    if (this.#holding) {
      this.write(bytes);
      this.#endIfTerminated();
    } else {
      this.#pending.push(bytes);
      this.turns.request(this);
    }
  }

  /** Bytes from the server, before they go to the client: ReadyForQuery may end the turn. */
  received(bytes: Uint8Array): void {
    let buffer = concat(this.#serverTail, bytes);
    while (buffer.length >= 5) {
      const length = readInt32(buffer, 1);
      if (buffer.length < 1 + length) break;
      if (buffer[0] === 0x5a /* Z */) {
        this.#owed = Math.max(0, this.#owed - 1);
        const idle = buffer[5] === 0x49; /* I */
        if (this.#owed === 0 && idle && this.#holding) {
          this.#holding = false;
          this.turns.release(this);
        }
      }
      buffer = buffer.subarray(1 + length);
    }
    this.#serverTail = buffer.slice();
  }

  /** The connection is gone: its turn passes on. */
  closed(): void {
    this.#pending = [];
    this.#holding = false;
    this.turns.release(this);
  }

  /** @internal */
  granted(): void {
    this.#holding = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const bytes of pending) this.write(bytes);
    this.#endIfTerminated();
  }

  #endIfTerminated(): void {
    if (!this.#terminated) return;
    this.#holding = false;
    this.turns.release(this);
  }

  #countRequests(bytes: Uint8Array): void {
    let buffer = concat(this.#clientTail, bytes);
    for (;;) {
      if (!this.#startupSeen) {
        // The startup message has no type byte: its int32 length comes first.
        if (buffer.length < 4 || buffer.length < readInt32(buffer, 0)) break;
        buffer = buffer.subarray(readInt32(buffer, 0));
        this.#startupSeen = true;
        this.#owed += 1;
        continue;
      }
      if (buffer.length < 5 || buffer.length < 1 + readInt32(buffer, 1)) break;
      const type = buffer[0];
      if (type === 0x53 /* S: Sync */ || type === 0x51 /* Q: Query */) this.#owed += 1;
      if (type === 0x58 /* X: Terminate */) this.#terminated = true;
      buffer = buffer.subarray(1 + readInt32(buffer, 1));
    }
    this.#clientTail = buffer.slice();
  }
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
