import type { FailedJob } from "../../queue/failed-store";
import type { JobSummary } from "../../queue/inspect-jobs";
import {
  failedJobErrors,
  failedJobTimeline,
  liveJobErrors,
  liveJobTimeline,
  type RecordedError,
} from "../../queue/job-timeline";
import type { JobLookup } from "../../queue/monitor";
import { restaurantIdOf } from "./monitoring-scope";

/**
 * What a non-admin sees of the machines behind the queue: a worker id names its host and pid
 * (`host-pid-random`), so it is replaced by a stable opaque id (FNV-1a, twice seeded); the same
 * worker keeps the same id across views, which is all a restaurant's staff needs to follow it.
 */
export function opaqueWorkerId(id: string): string {
  const hash = (seed: number) => {
    let h = seed;
    for (let i = 0; i < id.length; i += 1) h = Math.imul(h ^ id.charCodeAt(i), 16_777_619) >>> 0;
    return h.toString(16).padStart(8, "0");
  };
  return `worker-${hash(2_166_136_261)}${hash(0x811c9dc6)}`;
}

/** Who is looking: admins see hosts, pids, worker ids and stack traces; everyone else does not. */
export type Viewer = { admin: boolean };

const consumerFor = (consumer: string | null, viewer: Viewer) =>
  consumer === null || viewer.admin ? consumer : opaqueWorkerId(consumer);

/** A live job as the monitoring API shows it (the restaurant id instead of the raw partition key). */
export function jobSummaryView(job: JobSummary, viewer: Viewer) {
  return {
    id: job.id,
    name: job.name,
    queue: job.queue,
    shard: job.shard as number | null,
    state: job.state as JobSummary["state"] | "failed",
    restaurantId: restaurantIdOf(job.partition),
    attempts: job.attempts,
    createdAt: job.createdAt,
    availableAt: job.availableAt,
    lastError: job.lastError,
    dueAt: job.dueAt,
    consumer: consumerFor(job.consumer, viewer),
    idleMs: job.idleMs,
    deliveries: job.deliveries,
  };
}

/** Stacks show file paths and code: only admins see them. */
const withStacks = (errors: RecordedError[], viewer: Viewer) =>
  viewer.admin ? errors : errors.map((e) => ({ ...e, stack: null }));

/** A failed job as a list row; the stack for admins only. */
export function failedJobView(job: FailedJob, viewer: Viewer) {
  return {
    id: job.jobId,
    name: job.name,
    queue: job.queue,
    restaurantId: restaurantIdOf(job.partition),
    attempts: job.attempts,
    reason: job.reason,
    error: job.error,
    // A stack trace shows our code's paths and versions: admins only.
    stack: viewer.admin ? job.stack : null,
    failedAt: job.failedAt,
    payload: job.payload,
  };
}

/** One job wherever it is, with its payload, its recorded errors, its timeline and, when it failed, why. */
export function jobDetailView(found: JobLookup, now: number, viewer: Viewer) {
  if (found.state !== "failed") {
    const summary = jobSummaryView(found, viewer);
    return {
      ...summary,
      payload: found.payload,
      failure: null,
      errors: withStacks(liveJobErrors(found), viewer),
      // The timeline names the worker running the job as the viewer may see it.
      timeline: liveJobTimeline({ ...found, consumer: summary.consumer }, now),
    };
  }
  const f = found.failed;
  return {
    id: f.jobId,
    name: f.name,
    queue: f.queue,
    shard: null,
    state: "failed" as const,
    restaurantId: restaurantIdOf(f.partition),
    attempts: f.attempts,
    createdAt: f.envelope.createdAt,
    availableAt: f.envelope.availableAt,
    lastError: f.error,
    dueAt: null,
    consumer: null,
    idleMs: null,
    deliveries: null,
    payload: f.payload,
    failure: { reason: f.reason, error: f.error, stack: viewer.admin ? f.stack : null, failedAt: f.failedAt },
    errors: withStacks(failedJobErrors(f), viewer),
    timeline: failedJobTimeline(f),
  };
}

/** The partition of a looked-up job, wherever it is. */
export function partitionOf(found: JobLookup): string | null {
  return found.state === "failed" ? found.failed.partition : found.partition;
}
