import { describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { desiredProcesses } from "../../src/queue/autoscale";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Supervisor, type SupervisorOptions } from "../../src/queue/supervisor";
import { listWorkers } from "../../src/queue/worker-registry";
import { workerFixture } from "./fixtures/spawn-worker";
import { queueWorld, waitFor } from "./support";

const countJob = defineJob({
  name: "Count",
  queue: "default",
  tries: 3,
  backoff: [1],
  timeout: 10,
  payload: z.object({ n: z.number() }),
  handle() {},
});

function supervisorFor(
  world: Awaited<ReturnType<typeof queueWorld>>,
  options: Partial<SupervisorOptions> & Pick<SupervisorOptions, "balance">,
) {
  const url = loadConfig().REDIS_URL!;
  return new Supervisor({
    redis: world.redis,
    prefix: world.prefix,
    queues: ["default"],
    command: (id) => ["bun", workerFixture, url, world.prefix, "scale", "2", id],
    checkIntervalMs: 100,
    cooldownMs: 300,
    heartbeatIntervalMs: 200,
    restartDelayMs: 100,
    logger: consoleLogger("silent"),
    ...options,
  });
}

describe("autoscale decisions", () => {
  const o = { minProcesses: 1, maxProcesses: 5, maxShift: 2, jobsPerProcess: 100, targetWaitMs: 1000 };
  it("follows the depth within the bounds and the largest step", () => {
    expect(desiredProcesses(1, { waiting: 1000, oldestWaitMs: 0 }, o)).toBe(3);
    expect(desiredProcesses(3, { waiting: 1000, oldestWaitMs: 0 }, o)).toBe(5);
    expect(desiredProcesses(5, { waiting: 0, oldestWaitMs: 0 }, o)).toBe(3);
    expect(desiredProcesses(2, { waiting: 150, oldestWaitMs: 0 }, o)).toBe(2);
    expect(desiredProcesses(1, { waiting: 0, oldestWaitMs: 0 }, o)).toBe(1);
  });
  it("adds a process while jobs wait too long, even for a shallow queue", () => {
    expect(desiredProcesses(2, { waiting: 10, oldestWaitMs: 5000 }, o)).toBe(3);
    expect(desiredProcesses(5, { waiting: 10, oldestWaitMs: 5000 }, o)).toBe(5);
  });
});

describe("a supervisor of worker processes", () => {
  it("scales up with a backlog, back down once it drained, and loses or repeats no job", async () => {
    const world = await queueWorld();
    const supervisor = supervisorFor(world, {
      balance: "auto",
      minProcesses: 1,
      maxProcesses: 3,
      jobsPerProcess: 100,
      targetWaitMs: 60_000,
    });
    await supervisor.start();
    const sizes: number[] = [];
    const sample = setInterval(() => sizes.push(supervisor.size), 50);
    try {
      await Bun.sleep(800);
      expect(supervisor.size).toBe(1);
      const total = 1500;
      await world.queue.dispatchMany(
        countJob,
        Array.from({ length: total }, (_, n) => ({ n })),
      );
      await waitFor(() => supervisor.size === 3, 15_000, "three processes for the backlog");
      const workers = await waitFor(
        async () => {
          const list = await listWorkers(world.redis, world.queue.keys, { now: Date.now(), deadAfterMs: 5000 });
          const children = list.filter((w) => w.supervisor === supervisor.id && w.alive);
          return children.length === 3 ? list : null;
        },
        15_000,
        "three workers reporting their supervisor",
      );
      const own = workers.find((w) => w.id === supervisor.id);
      expect(own?.role).toBe("supervisor");
      expect(own?.processes?.length).toBeGreaterThanOrEqual(2);

      const tally = `{${world.prefix}:test}:tally`;
      await waitFor(async () => Number(await world.redis.send("HLEN", [tally])) === total, 60_000, "the backlog");
      await waitFor(() => supervisor.size === 1, 15_000, "back to one process");
      // Drained processes finished what they held: every job ran exactly once.
      const counts = Object.values((await world.redis.send("HGETALL", [tally])) as Record<string, string>);
      expect(counts.every((c) => c === "1")).toBe(true);
      expect(Math.max(...sizes)).toBe(3);
      // It went up one step at a time (max shift 1).
      const steps = sizes.slice(1).map((s, i) => s - sizes[i]!);
      expect(steps.every((d) => Math.abs(d) <= 1)).toBe(true);
    } finally {
      clearInterval(sample);
      await supervisor.stop();
    }
    expect(supervisor.processes).toEqual([]);
  }, 120_000);

  it("restarts a worker process that crashed and reports the restart", async () => {
    const world = await queueWorld();
    const supervisor = supervisorFor(world, { balance: "off", minProcesses: 2 });
    await supervisor.start();
    try {
      expect(supervisor.size).toBe(2);
      const [victim] = supervisor.processes;
      process.kill(victim!.pid, "SIGKILL");
      await waitFor(
        () => supervisor.size === 2 && !supervisor.processes.some((p) => p.pid === victim!.pid),
        15_000,
        "a replacement process",
      );
      const own = await waitFor(
        async () => {
          const list = await listWorkers(world.redis, world.queue.keys, { now: Date.now(), deadAfterMs: 5000 });
          const entry = list.find((w) => w.id === supervisor.id);
          return entry?.restarts === 1 ? entry : null;
        },
        5000,
        "the restart in the worker list",
      );
      expect(own.balance).toBe("off");
    } finally {
      await supervisor.stop();
    }
  }, 60_000);
});
