import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import ackAndReadSource from "../../src/queue/lua/ack-and-read-n.lua" with { type: "text" };
import { StreamReader } from "../../src/queue/stream-reader";
import type { ClusterRedis } from "../../src/redis/cluster";
import type { RedisCommand, RedisConnection } from "../../src/redis/types";
import { onCluster } from "../support/redis";
import { queueWorld, waitFor } from "./support";

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
    await loadScript(world.redis, ackAndReadSource);
    const keys = world.queue.keys.shard(0);
    const { connection, trips } = countingRoundTrips(await world.redis.duplicate());
    const reader = new StreamReader(connection, keys, world.queue.keys.group, "reader-1", QUEUES);
    try {
      const first = await reader.read(QUEUES, 5, false, 50);
      expect(trips).toHaveLength(1);
      expect(first.map((d) => d.queue)).toEqual(["high", "high", "high", "default", "default"]);
      // Nothing of low was taken: another worker could still have it.
      expect(await pendingOf(world.redis, keys.stream("low"), world.queue.keys.group)).toBe(0);
      const second = await reader.read(QUEUES, 5, false, 50);
      expect(trips).toHaveLength(2);
      expect(second.map((d) => d.queue)).toEqual(["default", "low", "low", "low"]);
      expect(second.every((d) => d.envelope !== null)).toBe(true);
      // Empty: the busy read finds nothing and the blocking read waits on every stream.
      expect(await reader.read(QUEUES, 5, false, 20)).toEqual([]);
      expect(trips).toHaveLength(4);
    } finally {
      reader.close();
    }
  });
});

describe("acks sent with a read", () => {
  it("acknowledges finished jobs of several streams and reads the next entries in the same round trip", async () => {
    const world = await queueWorld();
    const high = jobOn("high");
    const low = jobOn("low");
    const ids = [
      await world.queue.dispatch(high, { n: 1 }, { uniqueFor: 60 }),
      await world.queue.dispatch(low, { n: 2 }),
      await world.queue.dispatch(low, { n: 3 }),
    ];
    await world.queue.ensureGroups([...QUEUES]);
    await loadScript(world.redis, ackAndReadSource);
    const keys = world.queue.keys.shard(0);
    const group = world.queue.keys.group;
    const { connection, trips } = countingRoundTrips(await world.redis.duplicate());
    const reader = new StreamReader(connection, keys, group, "reader-1", QUEUES);
    try {
      const first = await reader.read(QUEUES, 2, false, 50);
      expect(first.map((d) => d.envelope?.id)).toEqual([ids[0]!, ids[1]!]);
      expect(await world.redis.send("ZCARD", [keys.unique])).toBe(1);
      const finished = (queue: string) => ({
        shard: 0,
        queue,
        items: first
          .filter((d) => d.queue === queue)
          .map((d) => ({ entryId: d.entryId, jobId: d.envelope!.id, uniqueKey: d.envelope!.uniqueKey })),
      });
      // low is left out of the read (paused, say): its ack still names its stream.
      const second = await reader.read(["high", "default"], 5, false, 20, [finished("high"), finished("low")]);
      expect(second).toEqual([]);
      const third = await reader.read(QUEUES, 5, false, 50);
      expect(third.map((d) => d.envelope?.id)).toEqual([ids[2]!]);
      // Acked: out of the pending lists, the streams and the job index; the unique lock released.
      for (const queue of ["high", "low"])
        expect(await pendingOf(world.redis, keys.stream(queue), group)).toBe(queue === "low" ? 1 : 0);
      expect(await world.redis.send("XLEN", [keys.stream("high")])).toBe(0);
      expect(await world.redis.send("XLEN", [keys.stream("low")])).toBe(1);
      expect(await world.redis.send("HEXISTS", [keys.index, ids[0]!])).toBe(0);
      expect(await world.redis.send("HEXISTS", [keys.index, ids[1]!])).toBe(0);
      expect(await world.redis.send("HEXISTS", [keys.index, ids[2]!])).toBe(1);
      expect(await world.redis.send("ZCARD", [keys.unique])).toBe(0);
      // The acked read that found nothing blocked once after it; the others each took one trip.
      expect(trips).toEqual(["EVALSHA", "EVALSHA", "XREAD", "EVALSHA"]);
    } finally {
      reader.close();
    }
  });

  // Counted with one server's INFO commandstats, which a cluster spreads over its nodes.
  it.skipIf(onCluster())(
    "lets a worker running one job at a time settle each job and fetch the next in one round trip",
    async () => {
      const world = await queueWorld();
      const count = 200;
      let done = 0;
      const job = defineJob({
        name: "Counted",
        queue: "default",
        tries: 1,
        backoff: [],
        timeout: 5,
        payload: z.object({ n: z.number() }),
        handle() {
          done += 1;
        },
      });
      await world.queue.dispatchMany(
        job,
        Array.from({ length: count }, (_, n) => ({ n })),
      );
      const calls = async (command: string) => {
        const stats = (await world.redis.send("INFO", ["commandstats"])) as string;
        return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      };
      const [evalshaBefore, xackBefore] = [await calls("evalsha"), await calls("xack")];
      const worker = world.worker({ jobs: [job], concurrency: 1, queues: [...QUEUES] });
      await worker.start();
      await waitFor(() => done === count, 20_000, "every job");
      await worker.stop();
      const stats = await world.queue.keys.shard(0);
      expect(await world.redis.send("XLEN", [stats.stream("default")])).toBe(0);
      // Each job's ack rode on the read that fetched the next one: about one script call per job
      // (a separate ack would make it two), whatever else the worker and other tests sent meanwhile.
      expect((await calls("xack")) - xackBefore).toBeGreaterThanOrEqual(1);
      expect((await calls("evalsha")) - evalshaBefore).toBeLessThan(count * 1.3);
    },
    30_000,
  );
});

/** SCRIPT LOAD where the shard's keys live: on a cluster, every master. */
async function loadScript(redis: RedisConnection, source: string): Promise<void> {
  const cluster = redis as RedisConnection & Partial<Pick<ClusterRedis, "eachMaster">>;
  if (cluster.eachMaster) await cluster.eachMaster((send) => send("SCRIPT", ["LOAD", source]));
  else await redis.send("SCRIPT", ["LOAD", source]);
}
