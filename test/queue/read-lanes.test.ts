import { describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import ackAndReadSource from "../../src/queue/lua/ack-and-read-n.lua" with { type: "text" };
import type { RedisConnection } from "../../src/redis/types";
import { queueWorld, recordingJob, waitFor } from "./support";

const ACK_AND_READ_SHA = createHash("sha1").update(ackAndReadSource).digest("hex");

/** The connection (and every duplicate of it), tracking how many ack-and-read calls are under way at once. */
function trackingReads(redis: RedisConnection, stats: { inFlight: number; most: number; calls: number }) {
  const wrap = (connection: RedisConnection): RedisConnection => ({
    kind: connection.kind,
    async send(command, args) {
      const isRead = (command === "EVALSHA" || command === "EVAL") && args[0] === ACK_AND_READ_SHA;
      if (!isRead) return connection.send(command, args);
      stats.calls += 1;
      stats.inFlight += 1;
      stats.most = Math.max(stats.most, stats.inFlight);
      try {
        return await connection.send(command, args);
      } finally {
        stats.inFlight -= 1;
      }
    },
    pipeline: (commands) => connection.pipeline(commands),
    duplicate: async () => wrap(await connection.duplicate()),
    close: () => connection.close(),
  });
  return wrap(redis);
}

function countingJob(queue: string, state: { running: number; most: number; done: number }) {
  return defineJob({
    name: `Counting${queue}`,
    queue,
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ n: z.number() }),
    async handle() {
      state.running += 1;
      state.most = Math.max(state.most, state.running);
      await Bun.sleep(Math.random() * 2);
      state.running -= 1;
      state.done += 1;
    },
  });
}

describe("two read lanes per shard", () => {
  /** Runs `jobs` counting jobs at `concurrency`; resolves with the most jobs and reads seen at once. */
  async function run(jobs: number, concurrency: number) {
    const world = await queueWorld();
    const state = { running: 0, most: 0, done: 0 };
    const job = countingJob("default", state);
    await world.queue.dispatchMany(
      job,
      Array.from({ length: jobs }, (_, n) => ({ n })),
    );
    const reads = { inFlight: 0, most: 0, calls: 0 };
    const worker = world.worker({ jobs: [job], concurrency, redis: trackingReads(world.redis, reads) });
    await worker.start();
    await waitFor(() => state.done === jobs, 30_000, "every job to run");
    return { mostJobs: state.most, mostReads: reads.most };
  }

  it("keeps two reads under way while busy, never running more than the concurrency", async () => {
    // Enough reads that the two lanes' reads meet in flight however the machine schedules them.
    const { mostJobs, mostReads } = await run(1000, 8);
    expect(mostJobs).toBeLessThanOrEqual(8);
    expect(mostJobs).toBe(8);
    // The second lane read while the first one's jobs ran.
    expect(mostReads).toBe(2);
  });

  it("keeps one read at a time below the threshold", async () => {
    const { mostJobs, mostReads } = await run(100, 4);
    expect(mostJobs).toBeLessThanOrEqual(4);
    expect(mostReads).toBe(1);
  });

  it("reads no further ahead than the free slots: a higher job dispatched mid-run passes the waiting lower ones", async () => {
    const world = await queueWorld();
    const seen: string[] = [];
    const high = recordingJob("High", "high", seen);
    const slowLow = defineJob({
      name: "SlowLow",
      queue: "low",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ label: z.string() }),
      async handle(p) {
        seen.push(p.label);
        await Bun.sleep(5);
      },
    });
    await world.queue.dispatchMany(
      slowLow,
      Array.from({ length: 120 }, (_, i) => ({ label: `low${i}` })),
    );
    const worker = world.worker({ jobs: [high, slowLow], concurrency: 8 });
    await worker.start();
    await waitFor(() => seen.length >= 24, 10_000, "the low jobs to be under way");
    const startedBefore = seen.length;
    await world.queue.dispatchMany(
      high,
      Array.from({ length: 10 }, (_, i) => ({ label: `high${i}` })),
    );
    await waitFor(() => seen.filter((l) => l.startsWith("high")).length === 10, 10_000, "the high jobs");
    const lastHigh = seen.lastIndexOf("high9");
    const lowsBetween = seen.slice(startedBefore, lastHigh).filter((l) => l.startsWith("low")).length;
    // Only reads already under way when the high jobs arrived (at most the 8 slots between them)
    // can start low jobs before the last high one; a lane reading ahead would start more.
    expect(lowsBetween).toBeLessThanOrEqual(8);
    await worker.stop();
  });
});
