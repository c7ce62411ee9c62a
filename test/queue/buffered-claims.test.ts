import { expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { queueWorld, waitFor } from "./support";

it("keeps an entry that waits in the local buffer claimed until a slot frees", async () => {
  const world = await queueWorld();
  const ran: string[] = [];
  const slow = defineJob({
    name: "SlowHigh",
    queue: "high",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({}),
    async handle() {
      ran.push("high");
      await Bun.sleep(1_500);
    },
  });
  const waiting = defineJob({
    name: "Buffered",
    queue: "low",
    tries: 1,
    backoff: [],
    // The owner reclaims the entry once a dead reader left it idle this long (no grace).
    timeout: 0.3,
    payload: z.object({}),
    handle: () => void ran.push("low by owner"),
  });
  const group = world.queue.keys.group;
  const low = world.queue.keys.shard(0).stream("low");
  await world.queue.ensureGroups(["high", "low"]);
  await world.queue.dispatch(slow, {});
  // A worker that read the low entry and died. The owner reclaims it while the high job runs:
  // delivered twice and never finished, it is a suspect, which waits in the buffer for the slot.
  await world.queue.dispatch(waiting, {});
  await world.redis.send("XREADGROUP", ["GROUP", group, "died", "COUNT", 1, "STREAMS", low, ">"]);
  const owner = world.worker({
    jobs: [slow, waiting],
    queues: ["high", "low"],
    concurrency: 2,
    blockMs: 50,
    heartbeatIntervalMs: 100,
    stallGraceMs: 0,
    stallCheckIntervalMs: 50,
  });
  await owner.start();
  await waitFor(async () => {
    const pending = (await world.redis.send("XPENDING", [low, group, "-", "+", 10])) as unknown[][];
    return pending.length === 1 && pending[0]![1] === owner.id;
  });
  expect(ran).toEqual(["high"]);

  // This worker takes any low entry idle for more than 150 ms.
  const impatient = world.worker({
    jobs: [{ ...waiting, timeout: 0.15, handle: () => void ran.push("low by impatient") }],
    queues: ["low"],
    stallGraceMs: 0,
    stallCheckIntervalMs: 50,
  });
  await impatient.start();
  await waitFor(() => ran.length === 2, 4000);
  await Bun.sleep(200);
  expect(ran).toEqual(["high", "low by owner"]);
});
