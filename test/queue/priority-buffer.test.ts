import { expect, it } from "bun:test";
import { queueWorld, recordingJob, waitFor } from "./support";

it("runs what waits in several queues in strict priority order once they are resumed together", async () => {
  const world = await queueWorld();
  const seen: string[] = [];
  const jobs = [
    recordingJob("High", "high", seen),
    recordingJob("Normal", "default", seen),
    recordingJob("Low", "low", seen),
  ];
  const worker = world.worker({ jobs, concurrency: 1, blockMs: 200 });
  await worker.start();
  for (const queue of ["high", "default", "low"]) await world.queue.pause(queue);

  // Dispatched lowest first, so arrival order alone would get it wrong.
  for (const [job, label] of [
    [jobs[2]!, "low"],
    [jobs[1]!, "default"],
    [jobs[0]!, "high"],
  ] as const) {
    await world.queue.dispatchMany(job, [{ label: `${label}1` }, { label: `${label}2` }]);
  }
  await Bun.sleep(300);
  expect(seen).toEqual([]);
  // One command opens all three, so no read can see some queues open and others still paused.
  await world.redis.send("SREM", [world.queue.keys.shard(0).paused, "high", "default", "low"]);

  // Each read takes one entry for the one slot, from the highest queue that has one.
  await waitFor(() => seen.length === 6, 10_000);
  expect(seen).toEqual(["high1", "high2", "default1", "default2", "low1", "low2"]);
}, 30_000);
