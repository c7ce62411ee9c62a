import type { Subprocess } from "bun";

/** A private `redis-server` started from PATH, for the dev command and the tests. */
export type LocalRedis = {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Sends a signal to the server (outage tests: SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the server process has exited. */
  exited: Promise<number>;
};

const INSTALL_HINT = [
  "redis-server was not found on PATH, and REDIS_URL is not set.",
  "Install Redis 7+ or point REDIS_URL at a server:",
  "  Debian/Ubuntu: sudo apt-get install redis-server",
  "  macOS:         brew install redis",
  "  or:            REDIS_URL=redis://host:6379 <command>",
].join("\n");

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

async function waitForPing(port: number, child: Subprocess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    try {
      const socket = await Bun.connect({
        hostname: "127.0.0.1",
        port,
        socket: { data() {}, error() {} },
      });
      socket.end();
      return;
    } catch {
      await Bun.sleep(25);
    }
  }
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

/**
 * Starts `redis-server` on a free loopback port (or `port`, to restart one) with no persistence
 * and the `noeviction` policy a queue needs; with `dataDir` it keeps an AOF there (fsync every
 * write with `fsyncAlways`, so a SIGKILL loses nothing acknowledged). Throws with install
 * instructions when the binary is missing.
 */
export async function startLocalRedis(
  options: { dataDir?: string; port?: number; fsyncAlways?: boolean } = {},
): Promise<LocalRedis> {
  const binary = Bun.which("redis-server");
  if (!binary) throw new Error(INSTALL_HINT);
  const port = options.port ?? (await freePort());
  const args = [binary, "--port", String(port), "--bind", "127.0.0.1", "--maxmemory-policy", "noeviction"];
  if (options.dataDir) {
    args.push("--dir", options.dataDir, "--appendonly", "yes", "--save", "");
    if (options.fsyncAlways) args.push("--appendfsync", "always");
  } else args.push("--save", "", "--appendonly", "no");
  const child = Bun.spawn(args, { stdout: "ignore", stderr: "inherit" });
  await waitForPing(port, child);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      await child.exited;
    },
    signal(signal) {
      child.kill(signal);
    },
    exited: child.exited,
  };
}
