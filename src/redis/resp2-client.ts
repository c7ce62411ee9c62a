import type { Socket } from "bun";

/** A reply as RESP2 gives it: what Upstash's REST API returns as JSON. */
export type Resp2Reply = string | number | null | Resp2Reply[] | Resp2Error;

export class Resp2Error extends Error {
  override name = "Resp2Error";
}

/** Status replies ("+OK") are kept apart from bulk strings: Upstash leaves them unencoded. */
export class Resp2Status {
  constructor(readonly value: string) {}
}

type Parsed = { value: Resp2Reply | Resp2Status; end: number } | null;

function parse(buf: Buffer, at: number): Parsed {
  const lineEnd = buf.indexOf("\r\n", at);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString("utf8", at + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === "+") return { value: new Resp2Status(line), end: next };
  if (type === "-") return { value: new Resp2Error(line), end: next };
  if (type === ":") return { value: Number(line), end: next };
  if (type === "$") {
    const length = Number(line);
    if (length < 0) return { value: null, end: next };
    if (buf.length < next + length + 2) return null;
    return { value: buf.toString("utf8", next, next + length), end: next + length + 2 };
  }
  if (type === "*") {
    const count = Number(line);
    if (count < 0) return { value: null, end: next };
    const items: Resp2Reply[] = [];
    let position = next;
    for (let i = 0; i < count; i++) {
      const item = parse(buf, position);
      if (!item) return null;
      items.push(item.value instanceof Resp2Status ? item.value.value : item.value);
      position = item.end;
    }
    return { value: items, end: position };
  }
  throw new Error(`unexpected RESP type ${type}`);
}

function encode(args: readonly (string | number | boolean)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const s = String(arg);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/** A minimal RESP2 client (no HELLO, so the server answers in RESP2), one command at a time in order. */
export async function connectResp2(url: string) {
  const { hostname, port } = new URL(url);
  let buffer = Buffer.alloc(0);
  const waiting: Array<(reply: Resp2Reply | Resp2Status) => void> = [];
  const socket: Socket<undefined> = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_s, chunk) {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const parsed = parse(buffer, 0);
          // Wait for the rest of a reply that arrived in pieces.
          if (!parsed) break;
          buffer = buffer.subarray(parsed.end);
          waiting.shift()?.(parsed.value);
        }
      },
    },
  });
  return {
    send(args: readonly (string | number | boolean)[]): Promise<Resp2Reply | Resp2Status> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(encode(args));
      });
    },
    close() {
      socket.end();
    },
  };
}
