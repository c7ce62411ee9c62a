import { afterEach, expect, it } from "bun:test";
import { startLocalRedis } from "../../src/redis/local-server";
import { reconnectDelayMs, TcpRedis } from "../../src/redis/tcp";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
}, 30_000);

async function fails(run: () => Promise<unknown>): Promise<{ failed: boolean; ms: number }> {
  const started = performance.now();
  try {
    await run();
    return { failed: false, ms: performance.now() - started };
  } catch {
    return { failed: true, ms: performance.now() - started };
  }
}

it("spreads reconnect delays with full jitter up to the cap", () => {
  expect(reconnectDelayMs(0, 100, 2000, () => 1)).toBe(100);
  expect(reconnectDelayMs(3, 100, 2000, () => 1)).toBe(800);
  expect(reconnectDelayMs(50, 100, 2000, () => 1)).toBe(2000);
  expect(reconnectDelayMs(50, 100, 2000, () => 0)).toBe(0);
  expect(reconnectDelayMs(4, 100, 2000, () => 0.5)).toBe(800);
});

it("replaces a client that gave up, for the connection and its blocking duplicate", async () => {
  let server = await startLocalRedis();
  cleanups.push(() => server.stop());
  const states: string[] = [];
  const redis = new TcpRedis(server.url, { clientRetries: 1, onStateChange: (s) => states.push(s) });
  cleanups.push(() => redis.close());
  const blocking = await redis.duplicate();
  cleanups.push(() => blocking.close());
  expect(await redis.send("PING", [])).toBe("PONG");

  server.signal("SIGKILL");
  await server.exited;
  // Bun's client gives up after its retries; from then on commands fail at once.
  await fails(() => redis.send("PING", []));
  await fails(() => blocking.send("BLPOP", ["k", 1]));
  expect(redis.reconnecting).toBe(true);
  const fast = await fails(() => redis.send("PING", []));
  expect(fast.failed).toBe(true);
  expect(fast.ms).toBeLessThan(500);

  await Bun.sleep(3_000);
  server = await startLocalRedis({ port: server.port });
  const restartedAt = Date.now();
  for (const connection of [redis, blocking]) {
    for (;;) {
      if (!(await fails(() => connection.send("PING", []))).failed) break;
      expect(Date.now() - restartedAt).toBeLessThan(5_000);
      await Bun.sleep(50);
    }
  }
  await redis.send("RPUSH", ["k", "v"]);
  expect(await blocking.send("BLPOP", ["k", 1])).toEqual(["k", "v"]);
  expect(redis.reconnecting).toBe(false);
  // The duplicate shares the callback: each connection reports its own loss and recovery.
  expect(states.sort()).toEqual(["lost", "lost", "recovered", "recovered"]);
}, 20_000);
