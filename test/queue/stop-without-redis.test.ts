import { afterEach, expect, it } from "bun:test";
import { Queue } from "../../src/queue/queue";
import { type LocalRedis, startLocalRedis } from "../../src/redis/local-server";
import { connectTcpRedis } from "../../src/redis/tcp";
import { CountJob } from "./fixtures/count-job";
import { spawnWorkerProcess, type WorkerProcess } from "./fixtures/spawn-worker";
import { waitFor } from "./support";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
}, 30_000);

/** Reads a stream to its end from now on (a pipe nobody reads would block the child). */
async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += new TextDecoder().decode(value);
  }
}

type Watched = { process: WorkerProcess; stdout: Promise<string>; stderr: Promise<string> };

/** A private Redis with two busy worker processes on it. */
async function busyWorkers(): Promise<{ redis: LocalRedis; workers: Watched[] }> {
  const redis = await startLocalRedis();
  cleanups.push(() => redis.stop());
  const prefix = `stop${process.pid}`;
  const producer = await connectTcpRedis(redis.url);
  const queue = new Queue({ redis: producer, prefix });
  await queue.ensureGroups(["default"]);
  const workers = await Promise.all(
    [1, 2].map(() => spawnWorkerProcess(redis.url, prefix, "count", 10, { stderr: "pipe", ownServer: true })),
  );
  for (const w of workers) cleanups.push(() => w.kill("SIGKILL"));
  await queue.dispatchMany(
    CountJob,
    Array.from({ length: 200 }, (_, n) => ({ n })),
  );
  await waitFor(
    async () => Number(await producer.send("HLEN", [`{${prefix}:test}:tally`])) === 200,
    10_000,
    "the jobs to run",
  );
  producer.close();
  return {
    redis,
    workers: workers.map((w) => ({
      process: w,
      stdout: collect(w.stdout),
      stderr: collect(w.stderr as ReadableStream<Uint8Array>),
    })),
  };
}

async function stopAndWait(worker: Watched): Promise<{ code: number; ms: number; stdout: string; stderr: string }> {
  const started = Date.now();
  worker.process.kill("SIGTERM");
  const code = await worker.process.exited;
  return { code, ms: Date.now() - started, stdout: await worker.stdout, stderr: await worker.stderr };
}

it("drains and exits 0 on SIGTERM while Redis is hung (SIGSTOP) or gone (SIGKILL), logging what it kept", async () => {
  const { redis, workers } = await busyWorkers();
  const [first, second] = workers as [Watched, Watched];

  redis.signal("SIGSTOP");
  const hung = await stopAndWait(first);
  expect(hung.code).toBe(0);
  expect(hung.stdout).toContain("stopped");
  expect(hung.stderr).toContain("worker stop: could not");
  // Each release step waits at most 2 s for a hung Redis.
  expect(hung.ms).toBeLessThan(15_000);

  redis.signal("SIGKILL");
  await redis.exited;
  const gone = await stopAndWait(second);
  expect(gone.code).toBe(0);
  expect(gone.stdout).toContain("stopped");
  expect(gone.stderr).toContain("worker stop: could not");
  expect(gone.ms).toBeLessThan(15_000);
}, 60_000);
