import { describe, expect, it } from "bun:test";
import { spinUntilSettled } from "../../src/queue/reply-spin";
import { DEFAULT_POLL_SPIN_US, resolveWorkerOptions } from "../../src/queue/worker-options";
import type { RedisConnection } from "../../src/redis/types";
import { queueWorld, recordingJob, waitFor } from "./support";

/** Runs `spinUntilSettled` and resolves with its turns and when it ended. */
function spin(reply: Promise<unknown>, maxUs: number): Promise<{ turns: number; endedAt: number }> {
  return new Promise((resolve) =>
    spinUntilSettled(reply, maxUs, (turns) => resolve({ turns, endedAt: performance.now() })),
  );
}

describe("busy-polling for a reply (ADR 0035)", () => {
  it("keeps the event loop turning until the reply comes, and stops then", async () => {
    let settledAt = 0;
    // The timer that settles the reply must still fire while the loop spins.
    const reply = new Promise<void>((resolve) =>
      setTimeout(() => {
        settledAt = performance.now();
        resolve();
      }, 5),
    );
    const { turns, endedAt } = await spin(reply, 2_000_000);
    expect(settledAt).toBeGreaterThan(0);
    expect(turns).toBeGreaterThan(1);
    // Ended with the reply, not at the end of its two-second window.
    expect(endedAt).toBeGreaterThanOrEqual(settledAt);
    expect(endedAt - settledAt).toBeLessThan(1_000);
  });

  it("stops when a reply fails", async () => {
    const reply = Bun.sleep(3).then(() => {
      throw new Error("connection lost");
    });
    reply.catch(() => undefined);
    const startedAt = performance.now();
    const { endedAt } = await spin(reply, 2_000_000);
    expect(endedAt - startedAt).toBeLessThan(1_000);
  });

  it("gives up at the end of its window when no reply comes", async () => {
    const startedAt = performance.now();
    const { turns, endedAt } = await spin(new Promise(() => undefined), 5_000);
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(5);
    expect(turns).toBeGreaterThan(1);
  });

  it("does nothing with a window of 0", async () => {
    const { turns } = await spin(new Promise(() => undefined), 0);
    expect(turns).toBe(0);
  });

  it("is on by default for workers, and can be turned off", () => {
    const base = { redis: {} as RedisConnection, prefix: "p", jobs: [] };
    expect(resolveWorkerOptions(base).pollSpinUs).toBe(DEFAULT_POLL_SPIN_US);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: 0 }).pollSpinUs).toBe(0);
    expect(resolveWorkerOptions({ ...base, pollSpinUs: -5 }).pollSpinUs).toBe(0);
  });

  for (const pollSpinUs of [DEFAULT_POLL_SPIN_US, 0]) {
    it(`a one-at-a-time worker ${pollSpinUs ? "polls for its reads' replies" : "sleeps when told to"}, with strict priority exact`, async () => {
      const world = await queueWorld();
      const seen: string[] = [];
      const high = recordingJob("SpinHigh", "high", seen);
      const normal = recordingJob("SpinDefault", "default", seen);
      const low = recordingJob("SpinLow", "low", seen);
      const labels = (prefix: string) => Array.from({ length: 10 }, (_, i) => ({ label: `${prefix}${i}` }));
      await world.queue.dispatchMany(low, labels("l"));
      await world.queue.dispatchMany(normal, labels("d"));
      await world.queue.dispatchMany(high, labels("h"));
      const worker = world.worker({ jobs: [high, normal, low], concurrency: 1, pollSpinUs });
      await worker.start();
      await waitFor(() => seen.length === 30, 10_000, "every job to run");
      expect(seen).toEqual([...labels("h"), ...labels("d"), ...labels("l")].map((p) => p.label));
      if (pollSpinUs > 0) expect(worker.spunReads).toBeGreaterThan(0);
      else expect(worker.spunReads).toBe(0);
    });
  }
});
