import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import readInOrderSource from "../../src/queue/lua/read-in-order-n.lua" with { type: "text" };
import { StreamReader } from "../../src/queue/stream-reader";
import type { RedisCommand, RedisConnection } from "../../src/redis/types";
import { queueWorld } from "./support";

const QUEUES = ["high", "default", "low"] as const;

function jobOn(queue: string) {
  return defineJob({
    name: `On${queue}`,
    queue,
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({ n: z.number() }),
    handle() {},
  });
}

/** The connection, counting what goes over it: one entry per round trip. */
function countingRoundTrips(redis: RedisConnection) {
  const trips: string[] = [];
  const connection: RedisConnection = {
    kind: redis.kind,
    send(command, args) {
      trips.push(command);
      return redis.send(command, args);
    },
    pipeline(commands: readonly RedisCommand[]) {
      trips.push(commands.map(([c]) => c).join("+"));
      return redis.pipeline(commands);
    },
    duplicate: () => redis.duplicate(),
    close: () => redis.close(),
  };
  return { connection, trips };
}

async function pendingOf(redis: RedisConnection, stream: string, group: string): Promise<number> {
  const reply = (await redis.send("XPENDING", [stream, group])) as unknown[];
  return Number(reply[0]);
}

describe("StreamReader", () => {
  it("fills a batch from all priorities in one round trip, taking a lower queue only for the room left", async () => {
    const world = await queueWorld();
    for (const queue of [...QUEUES].reverse()) {
      await world.queue.dispatchMany(
        jobOn(queue),
        [1, 2, 3].map((n) => ({ n })),
      );
    }
    await world.queue.ensureGroups([...QUEUES]);
    // Loaded as a running worker has it, so the first EVALSHA is not followed by a NOSCRIPT retry.
    await world.redis.send("SCRIPT", ["LOAD", readInOrderSource]);
    const keys = world.queue.keys.shard(0);
    const { connection, trips } = countingRoundTrips(await world.redis.duplicate());
    const reader = new StreamReader(connection, keys, world.queue.keys.group, "reader-1", QUEUES);
    try {
      const first = (await reader.read(QUEUES, 5, 50)).deliveries;
      expect(trips).toHaveLength(1);
      expect(first.map((d) => d.queue)).toEqual(["high", "high", "high", "default", "default"]);
      // Nothing of low was taken: another worker could still have it.
      expect(await pendingOf(world.redis, keys.stream("low"), world.queue.keys.group)).toBe(0);
      const second = (await reader.read(QUEUES, 5, 50)).deliveries;
      expect(trips).toHaveLength(2);
      expect(second.map((d) => d.queue)).toEqual(["default", "low", "low", "low"]);
      expect(second.every((d) => d.envelope !== null)).toBe(true);
      // Empty: the read finds nothing, waits on every stream (taking nothing), then reads again.
      expect(await reader.read(QUEUES, 5, 20)).toEqual({ deliveries: [], paused: new Set() });
      expect(trips).toHaveLength(5);
    } finally {
      reader.close();
    }
  });

  it("skips a paused queue in the same step as the read, and takes nothing of it", async () => {
    const world = await queueWorld();
    await world.queue.dispatchMany(jobOn("high"), [{ n: 1 }]);
    await world.queue.dispatchMany(jobOn("default"), [{ n: 2 }]);
    await world.queue.ensureGroups([...QUEUES]);
    await world.queue.pause("high");
    const keys = world.queue.keys.shard(0);
    const reader = new StreamReader(await world.redis.duplicate(), keys, world.queue.keys.group, "reader-1", QUEUES);
    try {
      const read = await reader.read(QUEUES, 5, 50);
      expect(read.paused).toEqual(new Set(["high"]));
      expect(read.deliveries.map((d) => d.queue)).toEqual(["default"]);
      expect(await pendingOf(world.redis, keys.stream("high"), world.queue.keys.group)).toBe(0);
      // Only the paused queue has work: the wait ignores it and ends empty-handed.
      const started = Date.now();
      expect((await reader.read(QUEUES, 5, 200)).deliveries).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      await world.queue.resume("high");
      expect((await reader.read(QUEUES, 5, 50)).deliveries.map((d) => d.queue)).toEqual(["high"]);
    } finally {
      reader.close();
    }
  });
});
