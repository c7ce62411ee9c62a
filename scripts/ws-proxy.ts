import { parseArgs } from "node:util";
import { startWsProxy } from "../db/ws-proxy";

/** `bun run db:proxy --port 5488`: the WebSocket→TCP proxy for the Neon driver against a plain Postgres. */
const { values } = parseArgs({ options: { port: { type: "string", default: "5488" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const proxy = startWsProxy(port);
console.log(`ws→tcp proxy on ${proxy.address} — set DATABASE_WS_PROXY=${proxy.address}`);
process.on("SIGINT", () => {
  proxy.stop();
  process.exit(0);
});
