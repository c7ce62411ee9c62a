import { expect, it } from "bun:test";
import { loadConfig } from "../../src/config";
import { RedisFailedJobStore } from "../../src/queue/redis-failed-store";
import { CountJob } from "./fixtures/count-job";
import { spawnWorkerProcess, type WorkerProcess } from "./fixtures/spawn-worker";
import { queueWorld, waitFor } from "./support";

const TOTAL = 30_000;
const PER_SECOND = 1_000;
const WORKERS = 4;
const POISON_AT = 12_000;

it("fails exactly the poison job among 30,000 at 1,000 jobs/s on 4 workers; every other job runs", async () => {
  const world = await queueWorld();
  const url = loadConfig().REDIS_URL!;
  await world.queue.ensureGroups(["default"]);

  // A supervisor: a worker the poison job kills is replaced, as a process manager would.
  const live = new Set<WorkerProcess>();
  let deaths = 0;
  let supervising = true;
  const supervise = async (child: WorkerProcess): Promise<void> => {
    live.add(child);
    await child.exited;
    live.delete(child);
    if (!supervising) return;
    deaths += 1;
    await supervise(await spawnWorkerProcess(url, world.prefix, "poison", 10));
  };
  const supervised = (
    await Promise.all(Array.from({ length: WORKERS }, () => spawnWorkerProcess(url, world.prefix, "poison", 10)))
  ).map(supervise);

  const ids: string[] = [];
  const started = Date.now();
  const batch = PER_SECOND / 10;
  for (let from = 0; from < TOTAL; from += batch) {
    // Paced against the clock: 100 jobs every 100 ms.
    await Bun.sleep(Math.max(0, started + (from / PER_SECOND) * 1000 - Date.now()));
    const payloads = Array.from({ length: batch }, (_, i) => ({ n: from + i, poison: from + i === POISON_AT }));
    ids.push(...((await world.queue.dispatchMany(CountJob, payloads)) as string[]));
  }
  const poisonId = ids[POISON_AT]!;
  const tally = `{${world.prefix}:test}:tally`;
  const store = new RedisFailedJobStore(world.redis, world.queue.keys);
  await waitFor(() => store.get(poisonId), 60_000, "the poison job to fail");
  await waitFor(async () => Number(await world.redis.send("HLEN", [tally])) >= TOTAL - 1, 60_000, "every other job");

  supervising = false;
  for (const child of live) child.kill("SIGTERM");
  await Promise.all(supervised);

  const failed = await store.get(poisonId);
  expect(failed?.reason).toBe("poison");
  expect(failed?.error).toContain("started 5 times without finishing");
  expect(await store.count({})).toBe(1);
  // The poison job killed one worker per start, and only it was charged: 5 starts, 5 deaths.
  expect(deaths).toBe(5);
  const counts = (await world.redis.send("HGETALL", [tally])) as Record<string, string>;
  expect(counts[poisonId]).toBeUndefined();
  const innocent = ids.filter((id) => id !== poisonId);
  expect(innocent.every((id) => Number(counts[id] ?? 0) >= 1)).toBe(true);
  expect(Number(await world.redis.send("XLEN", [world.queue.keys.shard(0).stream("default")]))).toBe(0);
}, 150_000);
