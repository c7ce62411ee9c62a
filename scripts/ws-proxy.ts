import { startWsProxy } from "../db/ws-proxy";
import { exitWithUsage, intFlag, parseCommandLine } from "../src/runtime/command-line";

/** `bun run db:proxy --port 5488`: the WebSocket→TCP proxy for the Neon driver against a plain Postgres. */
const spec = {
  usage: `bun run db:proxy [--port 5488]

  The WebSocket→TCP proxy the Neon driver needs to reach a plain PostgreSQL (development, CI);
  then set DATABASE_WS_PROXY=127.0.0.1:<port>.`,
  options: { port: { type: "string", default: "5488" } },
} as const;
const { values } = parseCommandLine(spec);
let port: number;
try {
  port = intFlag(values.port, "port", 0, 65535);
} catch (error) {
  exitWithUsage(spec, error);
}
const proxy = startWsProxy(port);
console.log(`ws→tcp proxy on ${proxy.address} — set DATABASE_WS_PROXY=${proxy.address}`);
process.on("SIGINT", () => {
  proxy.stop();
  process.exit(0);
});
