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
      await Bun.sleep(700);
    },
  });
  const waiting = defineJob({
    name: "Buffered",
    queue: "low",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload: z.object({}),
    handle: () => void ran.push("low by owner"),
  });
  const owner = world.worker({
    jobs: [slow, waiting],
    queues: ["high", "low"],
    concurrency: 1,
    blockMs: 50,
    heartbeatIntervalMs: 100,
  });
  await owner.start();
  // An idle worker's next read blocks on both streams at once. With jobs already in both, that
  // read returns one of each while there is room for one: the low entry waits in the buffer.
  await Bun.sleep(150);
  await world.queue.pause("high");
  await world.queue.pause("low");
  await Bun.sleep(150);
  await world.queue.dispatch(slow, {});
  await world.queue.dispatch(waiting, {});
  // Both at once: a paused-set refresh between two resumes would let the high job in alone.
  await Promise.all([world.queue.resume("high"), world.queue.resume("low")]);
  await waitFor(() => ran.length === 1);
  const pending = (await world.redis.send("XPENDING", [
    world.queue.keys.shard(0).stream("low"),
    world.queue.keys.group,
    "-",
    "+",
    10,
  ])) as unknown[][];
  expect(pending.map((p) => p[1])).toEqual([owner.id]);

  // This worker takes any low entry idle for more than 150 ms.
  const impatient = world.worker({
    jobs: [{ ...waiting, timeout: 0.15, handle: () => void ran.push("low by impatient") }],
    queues: ["low"],
    stallGraceMs: 0,
    stallCheckIntervalMs: 50,
  });
  await impatient.start();
  await waitFor(() => ran.length === 2, 3000);
  await Bun.sleep(200);
  expect(ran).toEqual(["high", "low by owner"]);
});
