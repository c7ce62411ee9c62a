import { expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { queueWorld, waitFor } from "./support";

it("takes no more entries than it has free slots, leaving the rest to other workers", async () => {
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
      await Bun.sleep(1500);
    },
  });
  const waiting = defineJob({
    name: "Waiting",
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
  await world.queue.pause("high");
  await world.queue.pause("low");
  await world.queue.dispatch(slow, {});
  await world.queue.dispatch(waiting, {});
  // Both at once, so the one free slot sees both queues open and takes high, as priority says.
  await world.redis.send("SREM", [world.queue.keys.shard(0).paused, "high", "low"]);
  await waitFor(() => ran.length === 1);
  expect(ran).toEqual(["high"]);
  // The low entry was not read into the busy worker's buffer: nothing of low is pending.
  const pending = (await world.redis.send("XPENDING", [
    world.queue.keys.shard(0).stream("low"),
    world.queue.keys.group,
    "-",
    "+",
    10,
  ])) as unknown[][];
  expect(pending).toEqual([]);

  // So another worker takes it at once, while the owner is still busy.
  const other = world.worker({
    jobs: [{ ...waiting, handle: () => void ran.push("low by other") }],
    queues: ["low"],
  });
  await other.start();
  await waitFor(() => ran.length === 2, 3000);
  expect(ran).toEqual(["high", "low by other"]);
});
