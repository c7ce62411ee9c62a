import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { queueClearFailed } from "../../scripts/queue-clear-failed";
import { type QueueCommand, runQueueCommand } from "../../scripts/queue-cli";
import { queueFailed } from "../../scripts/queue-failed";
import { queuePause, queueResume } from "../../scripts/queue-pause";
import { queueRetry } from "../../scripts/queue-retry";
import { queueStatus } from "../../scripts/queue-status";
import { queueWorkers } from "../../scripts/queue-workers";
import { createLogger } from "../../src/logger";
import { type AppServices, createAppServices } from "../../src/services/app-services";
import { createTestApp, type TestApp } from "../support/app";
import { type MonitoringWorld, monitoringWorld } from "../support/monitoring-world";

let t: TestApp;
let world: MonitoringWorld;
let services: AppServices;
const failed: Record<number, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  world = await monitoringWorld(t);
  services = createAppServices({ config: t.config, db: t.db, redis: t.redis, logger: createLogger("silent") });
  await world.waitingJob(1, 1);
  failed[1] = await world.failedJob(1);
  failed[2] = await world.failedJob(2);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await t?.close();
});

/** Runs a command against the test app's Redis and database, capturing what it prints. */
async function run(command: QueueCommand, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runQueueCommand(command, argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => ({
    services,
    close: async () => {},
  }));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("ops CLI", () => {
  it("queue:status prints every queue's depth and failures", async () => {
    const res = await run(queueStatus);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^status: (ok|degraded|down)/);
    expect(res.out).toMatch(/\nhigh\s+no\s+1\s+0\s+0\s+0\s/);
    expect(res.out).toMatch(/\nlow\s+no\s+0\s+0\s+0\s+2\s/);
    const json = JSON.parse((await run(queueStatus, "--json")).out);
    expect(json.queues.find((q: { queue: string }) => q.queue === "low").failed).toBe(2);
  });

  it("queue:failed lists failed jobs with filters", async () => {
    const res = await run(queueFailed, "--restaurant", "1");
    expect(res.code).toBe(0);
    expect(res.out).toContain("1 failed job(s)");
    expect(res.out).toContain(failed[1]!);
    expect(res.out).not.toContain(failed[2]!);
    expect(res.out).toContain("menu of restaurant 1 rejected by the POS");
  });

  it("queue:retry retries one job by id, and all matching a filter", async () => {
    const one = await run(queueRetry, failed[1]!);
    expect(one).toMatchObject({ code: 0, out: `retried ${failed[1]}` });
    expect(await world.store.get(failed[1]!)).toBeNull();
    const again = await run(queueRetry, failed[1]!);
    expect(again.code).toBe(1);
    expect(again.err).toContain("not_found");
    expect((await run(queueRetry, "all", "--restaurant", "2")).out).toBe("retried 1 failed job(s)");
    expect(await world.store.count({})).toBe(0);
  });

  it("queue:clear-failed wants --yes, then deletes", async () => {
    const id = await world.failedJob(2);
    const refused = await run(queueClearFailed, "--restaurant", "2");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("this deletes 1 failed job(s) for good; add --yes");
    expect(await world.store.get(id)).not.toBeNull();
    expect((await run(queueClearFailed, "--yes", "--restaurant", "2")).out).toBe("deleted 1 failed job(s)");
    expect(await world.store.get(id)).toBeNull();
  });

  it("answers a bad command line with its usage and exit code 2, changing nothing", async () => {
    const id = await world.failedJob(1);
    const cases: Array<[QueueCommand, string[], string]> = [
      [queueRetry, [], "wrong number of arguments"],
      [queueRetry, [id, "--queue", "low"], "go with `all`"],
      [queueRetry, ["all", "--restaurant", "one"], "--restaurant must be a restaurant id"],
      [queueRetry, ["all", "--queue", "urgent"], "unknown_queue"],
      [queueFailed, ["--bogus"], "Unknown option"],
      [queueFailed, ["--limit", "0"], "--limit must be a positive integer"],
      [queueClearFailed, ["--yes", "--job", "NoSuchJob"], "unknown_job"],
    ];
    for (const [command, argv, message] of cases) {
      const res = await run(command, ...argv);
      expect({ argv, code: res.code, mentions: res.err.includes(message) }).toEqual({ argv, code: 2, mentions: true });
    }
    expect(await world.store.get(id)).not.toBeNull();
  });

  it("queue:status says down, and why, when jobs wait that no live worker serves", async () => {
    const res = await run(queueStatus);
    expect(res.out).toMatch(/^status: down\n {2}- high: 1 waiting and no live worker serves it/);
  });

  it("queue:pause and queue:resume stop and restart a queue; an unknown queue is a usage error", async () => {
    expect(await run(queuePause, "low")).toMatchObject({ code: 0, out: expect.stringContaining("low: paused") });
    expect(await services.monitoring.monitor.queue.pausedQueues()).toEqual(["low"]);
    expect((await run(queueStatus)).out).toContain("- low: paused");
    expect(await run(queueResume, "low")).toMatchObject({ code: 0, out: "low: resumed" });
    expect(await services.monitoring.monitor.queue.pausedQueues()).toEqual([]);
    const bad = await run(queuePause, "urgent");
    expect({ code: bad.code, unknown: bad.err.includes("unknown_queue") }).toEqual({ code: 2, unknown: true });
    expect((await run(queuePause)).code).toBe(2);
  });

  it("queue:workers lists the workers from their heartbeats", async () => {
    const res = await run(queueWorkers);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^\d+ live worker\(s\), \d+ stopped or dead/);
  });

  it("--help prints the usage and exits 0 without opening anything", async () => {
    for (const command of [queueStatus, queuePause, queueWorkers]) {
      const out: string[] = [];
      const code = await runQueueCommand(command, ["--help"], { out: (l) => out.push(l), err: () => {} }, () => {
        throw new Error("opened");
      });
      expect({ code, usage: out.join("\n").startsWith(`usage: ${command.usage.split("\n")[0]}`) }).toEqual({
        code: 0,
        usage: true,
      });
    }
  });

  it("runs as a script: a usage error exits 2 before touching Redis or the database", async () => {
    const proc = Bun.spawn(["bun", "run", "scripts/queue-retry.ts"], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, REDIS_URL: "redis://127.0.0.1:1" },
      stderr: "pipe",
      stdout: "pipe",
    });
    expect(await proc.exited).toBe(2);
    expect(await new Response(proc.stderr).text()).toContain("usage: bun run queue:retry <job-id | all>");
  });
});
