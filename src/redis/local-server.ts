import type { Subprocess } from "bun";

/** A private `redis-server` started from PATH, for the dev command and the tests. */
export type LocalRedis = { url: string; stop(): Promise<void> };

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
 * Starts `redis-server` on a free loopback port with no persistence and the
 * `noeviction` policy a queue needs. Throws with install instructions when
 * the binary is missing.
 */
export async function startLocalRedis(options: { dataDir?: string } = {}): Promise<LocalRedis> {
  const binary = Bun.which("redis-server");
  if (!binary) throw new Error(INSTALL_HINT);
  const port = await freePort();
  const args = [binary, "--port", String(port), "--bind", "127.0.0.1", "--maxmemory-policy", "noeviction"];
  if (options.dataDir) args.push("--dir", options.dataDir, "--appendonly", "yes", "--save", "");
  else args.push("--save", "", "--appendonly", "no");
  const child = Bun.spawn(args, { stdout: "ignore", stderr: "inherit" });
  await waitForPing(port, child);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}
