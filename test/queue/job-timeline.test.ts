import { describe, expect, it } from "bun:test";
import type { FailedJob } from "../../src/queue/failed-store";
import type { JobDetail } from "../../src/queue/inspect-jobs";
import {
  entryTime,
  failedJobErrors,
  failedJobTimeline,
  liveJobErrors,
  liveJobTimeline,
} from "../../src/queue/job-timeline";

const envelope = {
  id: "j1",
  name: "Sync",
  queue: "high",
  payload: {},
  createdAt: 1_000,
  availableAt: 1_000,
  attempts: 0,
};

function live(overrides: Partial<JobDetail>, env: Partial<JobDetail["envelope"]> = {}): JobDetail {
  const e = { ...envelope, ...env };
  return {
    id: e.id,
    name: e.name,
    queue: e.queue,
    shard: 0,
    state: "waiting",
    partition: "1",
    attempts: e.attempts,
    createdAt: e.createdAt,
    availableAt: e.availableAt,
    lastError: e.lastError ?? null,
    entryId: null,
    dueAt: null,
    consumer: null,
    idleMs: null,
    deliveries: null,
    payload: {},
    envelope: e,
    ...overrides,
  };
}

describe("job timeline", () => {
  it("reads the time a stream entry was added from its id", () => {
    expect(entryTime("1700000000123-4")).toBe(1_700_000_000_123);
    expect(entryTime("nonsense")).toBeNull();
  });

  it("tells a retried, running job's steps: dispatch, failed attempts, availability, queueing, its run", () => {
    const job = live(
      { state: "in-flight", entryId: "61000-0", consumer: "w1", idleMs: 500, deliveries: 2 },
      { attempts: 2, availableAt: 60_000, lastError: "Error: POS down" },
    );
    expect(liveJobTimeline(job, 70_000)).toEqual([
      { kind: "dispatched", at: 1_000, attempt: null, detail: null },
      { kind: "attempt-failed", at: null, attempt: 1, detail: null },
      { kind: "attempt-failed", at: null, attempt: 2, detail: "Error: POS down" },
      { kind: "available", at: 60_000, attempt: 3, detail: "after a delay" },
      { kind: "queued", at: 61_000, attempt: 3, detail: "in stream high" },
      { kind: "running", at: 69_500, attempt: 3, detail: "on w1, delivery 2" },
    ]);
    expect(liveJobErrors(job)).toEqual([{ attempt: 2, at: null, message: "Error: POS down", stack: null }]);
  });

  it("ends a delayed job's timeline at its due time", () => {
    const job = live({ state: "delayed", dueAt: 600_000 }, { availableAt: 600_000 });
    expect(liveJobTimeline(job, 2_000).map((e) => [e.kind, e.at])).toEqual([
      ["dispatched", 1_000],
      ["available", 600_000],
    ]);
    expect(liveJobErrors(job)).toEqual([]);
  });

  it("ends a failed job's timeline at its failure, counting the attempt that ended it", () => {
    const failed: FailedJob = {
      jobId: "j1",
      queue: "high",
      name: "Sync",
      partition: "1",
      payload: {},
      envelope: { ...envelope, attempts: 3, availableAt: 50_000 },
      reason: "exhausted",
      error: "Error: POS down",
      stack: "Error: POS down\n    at handle",
      attempts: 3,
      failedAt: 51_000,
    };
    expect(failedJobTimeline(failed).map((e) => [e.kind, e.attempt])).toEqual([
      ["dispatched", null],
      ["attempt-failed", 1],
      ["attempt-failed", 2],
      ["available", 3],
      ["failed", 3],
    ]);
    expect(failedJobErrors(failed)).toEqual([
      { attempt: 3, at: 51_000, message: "Error: POS down", stack: "Error: POS down\n    at handle" },
    ]);
    // Poison and invalid payloads end the job on an attempt that `attempts` does not count.
    const poison = { ...failed, reason: "poison" as const, attempts: 0, envelope: { ...envelope } };
    expect(failedJobTimeline(poison).map((e) => [e.kind, e.attempt])).toEqual([
      ["dispatched", null],
      ["failed", 1],
    ]);
  });
});
