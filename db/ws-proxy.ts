import type { Socket } from "bun";
import { type PgTurn, PgTurns } from "./pg-turns";

/**
 * A WebSocket→TCP proxy so the Neon serverless driver can reach a plain
 * PostgreSQL (development and CI). The driver connects to
 * `ws://HOST:PORT/v1?address=pghost:pgport` and speaks the Postgres wire
 * protocol inside binary WebSocket frames; we copy bytes both ways.
 * Only loopback targets are allowed. With `takeTurns` (for PGlite behind pglite-socket, a single
 * session) connections take turns a whole request at a time (see pg-turns.ts).
 */
export type WsProxy = { address: string; stop(): void; unref(): void };

type SocketData = { target: string; tcp?: Socket<unknown>; backlog: Uint8Array[]; turn?: PgTurn };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1):\d+$/;

export function startWsProxy(port = 0, options: { takeTurns?: boolean } = {}): WsProxy {
  const turns = options.takeTurns ? new PgTurns() : undefined;
  function toDatabase(data: SocketData, bytes: Uint8Array): void {
    if (data.tcp) data.tcp.write(bytes);
    else data.backlog.push(bytes);
  }
  const server = Bun.serve<SocketData, never>({
    hostname: "127.0.0.1",
    port,
    fetch(req, srv) {
      const url = new URL(req.url);
      const target = url.searchParams.get("address") ?? "";
      if (!LOOPBACK.test(target)) return new Response("address must be a loopback host:port", { status: 400 });
      if (srv.upgrade(req, { data: { target, backlog: [] } })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 426 });
    },
    websocket: {
      async open(ws) {
        ws.data.turn = turns?.connection((bytes) => toDatabase(ws.data, bytes));
        const idx = ws.data.target.lastIndexOf(":");
        const hostname = ws.data.target.slice(0, idx).replace(/^\[|\]$/g, "");
        const tcpPort = Number(ws.data.target.slice(idx + 1));
        try {
          ws.data.tcp = await Bun.connect({
            hostname,
            port: tcpPort,
            socket: {
              data(_s, chunk) {
                ws.data.turn?.received(chunk);
                ws.sendBinary(chunk);
              },
              close() {
                ws.close();
              },
              error() {
                ws.close();
              },
            },
          });
          for (const chunk of ws.data.backlog) ws.data.tcp.write(chunk);
          ws.data.backlog = [];
        } catch {
          ws.close(1011, "cannot reach the database");
        }
      },
      message(ws, message) {
        const bytes = typeof message === "string" ? new TextEncoder().encode(message) : new Uint8Array(message);
        if (ws.data.turn) ws.data.turn.send(bytes);
        else toDatabase(ws.data, bytes);
      },
      close(ws) {
        ws.data.turn?.closed();
        ws.data.tcp?.end();
      },
    },
  });
  return { address: `127.0.0.1:${server.port}`, stop: () => server.stop(true), unref: () => server.unref() };
}
