import { expect, it } from "bun:test";
import { parseInfo } from "../../src/redis/replies";
import { onCluster } from "../support/redis";
import { queueWorld, recordingJob, waitFor } from "./support";

// It waits on one server's INFO (blocked clients, SMEMBERS calls); a cluster spreads those over its
// nodes, so the cluster run cannot see the signals. The single-node runs cover it.
it.skipIf(onCluster())(
  "takes the jobs of queues resumed at once in strict priority order, one read at a time",
  async () => {
    const world = await queueWorld();
    const info = async (section: string) => parseInfo(await world.redis.send("INFO", [section]));
    const smembersCalls = async () =>
      Number(/calls=(\d+)/.exec((await info("commandstats")).cmdstat_smembers ?? "")?.[1] ?? 0);
    const seen: string[] = [];
    const jobs = [
      recordingJob("High", "high", seen),
      recordingJob("Normal", "default", seen),
      recordingJob("Low", "low", seen),
    ];
    // Blocked clients of other tests' worlds may share this server: count from what is there now.
    const blocked = async () => Number((await info("clients")).blocked_clients);
    const othersBlocked = await blocked();
    const worker = world.worker({ jobs, concurrency: 1, blockMs: 200 });
    await worker.start();
    // Idle: the worker waits on all three streams at once.
    await waitFor(async () => (await blocked()) > othersBlocked);

    for (const queue of ["high", "default", "low"]) await world.queue.pause(queue);
    // Two promotion ticks after the pause (each reads the paused set) and no blocked read left:
    // the worker knows every queue is paused and reads nothing.
    const before = await smembersCalls();
    await waitFor(async () => (await smembersCalls()) >= before + 2);
    await waitFor(async () => (await blocked()) <= othersBlocked, 10_000, "the last blocked read");

    // High first: if the worker were still reading, it would take high, as priority says anyway.
    for (const [job, label] of [
      [jobs[0]!, "high"],
      [jobs[1]!, "default"],
      [jobs[2]!, "low"],
    ] as const) {
      await world.queue.dispatchMany(job, [{ label: `${label}1` }, { label: `${label}2` }]);
    }
    // One command opens all three, so no tick can see some queues open and others still paused.
    await world.redis.send("SREM", [world.queue.keys.shard(0).paused, "high", "default", "low"]);

    // Every read takes only what the free slot holds, highest queue first: no lower job waits in
    // the buffer to start before a higher one.
    await waitFor(() => seen.length === 6);
    expect(seen).toEqual(["high1", "high2", "default1", "default2", "low1", "low2"]);
  },
  30_000,
);
