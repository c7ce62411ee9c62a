import { afterAll, expect, it } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { QueueUnavailableError } from "../../src/queue/errors";
import { Queue } from "../../src/queue/queue";
import { listWorkers } from "../../src/queue/worker-registry";
import { type LocalRedis, startLocalRedis } from "../../src/redis/local-server";
import { connectTcpRedis } from "../../src/redis/tcp";
import { QueuePing } from "../../src/sync/app-job-contracts";
import { CountJob } from "./fixtures/count-job";
import { spawnWorkerProcess, type WorkerProcess } from "./fixtures/spawn-worker";
import { waitFor } from "./support";

const OUTAGE_MS = 60_000;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
// Processes and a Redis writing its AOF can take a while to go on a loaded machine.
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
}, 30_000);

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Spawns an app command; its stderr is kept so a failed start says why. */
function spawnApp(
  script: string,
  args: string[],
  env: Record<string, string>,
): { child: Subprocess; stderr: string[] } {
  const child = Bun.spawn(["bun", script, ...args], {
    // This test has a redis-server of its own: its apps stay on it even when the suite runs on a cluster.
    env: { ...process.env, LOG_LEVEL: "silent", REDIS_CLUSTER_NODES: "", ...env },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const stderr: string[] = [];
  void (async () => {
    const reader = (child.stderr as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      stderr.push(new TextDecoder().decode(value));
    }
  })();
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await child.exited;
  });
  return { child, stderr };
}

/** Waits for an app command to be up; it must not have exited meanwhile. */
async function started(app: { child: Subprocess; stderr: string[] }, up: () => Promise<boolean>, label: string) {
  // PGlite's first start is slow on a loaded machine.
  await waitFor(
    async () => {
      if (app.child.exitCode !== null) throw new Error(`${label} exited ${app.child.exitCode}: ${app.stderr.join("")}`);
      return up();
    },
    120_000,
    label,
  );
}

async function readyz(base: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

it("recovers the API, `bun run worker`, worker processes and producers after Redis is gone for 60 s", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "fh-outage-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  let redis: LocalRedis = await startLocalRedis({ dataDir, fsyncAlways: true });
  cleanups.push(() => redis.stop());
  const url = redis.url;
  const prefix = `outage${process.pid}`;
  const appPrefix = `outageapp${process.pid}`;

  // The real API (`bun run start`) and the real worker command (`bun run worker`), each with its own PGlite.
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const apiProcess = spawnApp(new URL("../../src/server.ts", import.meta.url).pathname, [], {
    REDIS_URL: url,
    PORT: String(port),
    PGLITE_DIR: join(dataDir, "api-db"),
  });
  const appWorker = spawnApp(
    new URL("../../workers/index.ts", import.meta.url).pathname,
    ["--queue=low", "--concurrency=2"],
    {
      REDIS_URL: url,
      REDIS_PREFIX: appPrefix,
      PGLITE_DIR: join(dataDir, "worker-db"),
    },
  );
  // Two queue worker processes consuming Count jobs, tallying each run in Redis.
  const workers: WorkerProcess[] = await Promise.all(
    [1, 2].map(() => spawnWorkerProcess(url, prefix, "outage", 10, { stderr: "ignore", ownServer: true })),
  );
  for (const child of workers) cleanups.push(() => child.kill("SIGKILL"));

  const producer = await connectTcpRedis(url);
  cleanups.push(() => producer.close());
  const queue = new Queue({ redis: producer, prefix });
  const appQueue = new Queue({ redis: producer, prefix: appPrefix });
  await queue.ensureGroups(["default"]);
  await started(apiProcess, async () => (await readyz(api).catch(() => ({ status: 0 }))).status === 200, "the API");
  await started(
    appWorker,
    async () => (await listWorkers(producer, appQueue.keys, { now: Date.now(), deadAfterMs: 60_000 })).length > 0,
    "bun run worker",
  );

  // A steady producer: what it was told is dispatched must all run, whatever happens to Redis.
  const accepted: string[] = [];
  const failures: Array<{ at: number; ms: number; typed: boolean }> = [];
  let producing = true;
  let n = 0;
  const production = (async () => {
    while (producing) {
      const started = Date.now();
      try {
        const ids = await queue.dispatchMany(
          CountJob,
          Array.from({ length: 5 }, () => ({ n: n++ })),
        );
        accepted.push(...ids.filter((id): id is string => id !== null));
      } catch (error) {
        failures.push({ at: started, ms: Date.now() - started, typed: error instanceof QueueUnavailableError });
      }
      await Bun.sleep(20);
    }
  })();
  const tally = `{${prefix}:test}:tally`;
  await waitFor(async () => Number(await producer.send("HLEN", [tally])) >= 200, 20_000, "work before the outage");

  redis.signal("SIGKILL");
  await redis.exited;
  const killedAt = Date.now();
  const acceptedBefore = accepted.length;

  // While Redis is gone the API says so within 2 s, and dispatch fails fast with a typed error.
  const during: Array<{ status: number; ms: number }> = [];
  for (const at of [3_000, 35_000, 55_000]) {
    await Bun.sleep(Math.max(0, killedAt + at - Date.now()));
    during.push(await readyz(api));
  }
  await Bun.sleep(Math.max(0, killedAt + OUTAGE_MS - Date.now()));

  redis = await startLocalRedis({ dataDir, port: redis.port, fsyncAlways: true });
  const restartedAt = Date.now();
  await waitFor(async () => (await readyz(api).catch(() => ({ status: 0 }))).status === 200, 15_000, "API ready");
  const apiRecoveryMs = Date.now() - restartedAt;
  await waitFor(() => accepted.length > acceptedBefore + 50, 15_000, "the producer dispatching again");
  const producerRecoveryMs = Date.now() - restartedAt;

  // `bun run worker` consumes again: pings dispatched after the restart are processed.
  await appQueue.dispatchMany(
    QueuePing,
    Array.from({ length: 20 }, (_, i) => ({ message: `after outage ${i}` })),
  );
  // Acked entries are deleted: an empty stream means every ping was handled.
  const pings = appQueue.keys.shard(0).stream("low");
  await waitFor(
    async () => Number(await producer.send("XLEN", [pings])) === 0,
    // Generous: in the full suite the machine may still be busy with the previous file's processes.
    60_000,
    "bun run worker to process the pings",
  );
  const appWorkerRecoveryMs = Date.now() - restartedAt;

  await Bun.sleep(2_000);
  producing = false;
  await production;
  const acceptedAfter = accepted.length - acceptedBefore;
  const notRun = async () => {
    const counts = (await producer.send("HGETALL", [tally])) as Record<string, string>;
    return accepted.filter((id) => Number(counts[id] ?? 0) < 1);
  };
  try {
    await waitFor(async () => (await notRun()).length === 0, 40_000, "every accepted job to run");
  } catch (error) {
    // Say where the jobs that did not run are: still in a stream (and whose), failed, or nowhere.
    const missing = (await notRun()).slice(0, 10);
    const shard = queue.keys.shard(0);
    const where = await Promise.all(
      missing.map(async (id) => ({
        id,
        index: await producer.send("HGET", [shard.index, id]),
        failed: await producer.send("HGET", [queue.keys.global.failedJobs, id]),
      })),
    );
    const pending = await producer.send("XPENDING", [shard.stream("default"), queue.keys.group]);
    throw new Error(`${(error as Error).message}: ${JSON.stringify({ where, pending })}`);
  }
  const processRecoveryMs = Date.now() - restartedAt;
  console.log(
    `outage ${OUTAGE_MS} ms: readyz during ${during.map((d) => `${d.status}/${Math.round(d.ms)}ms`).join(" ")}; ` +
      `after restart: API ready in ${apiRecoveryMs} ms, producer in ${producerRecoveryMs} ms, ` +
      `bun run worker in ${appWorkerRecoveryMs} ms, every accepted job run by ${processRecoveryMs} ms ` +
      `(${acceptedBefore} accepted before, ${acceptedAfter} after; ${failures.length} dispatches refused)`,
  );

  expect(during.every((d) => d.status === 503 && d.ms < 2_000)).toBe(true);
  const outageFailures = failures.filter((f) => f.at > killedAt + 5_000 && f.at < killedAt + OUTAGE_MS - 1_000);
  expect(outageFailures.length).toBeGreaterThan(10);
  expect(outageFailures.every((f) => f.typed && f.ms < 2_500)).toBe(true);
  expect(acceptedAfter).toBeGreaterThan(50);
  // The same processes recovered: nobody restarted them.
  expect(workers.every((w) => w.exitCode === null)).toBe(true);
  expect(appWorker.child.exitCode).toBeNull();
  for (const child of workers) child.kill("SIGTERM");
  expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
}, 360_000);
