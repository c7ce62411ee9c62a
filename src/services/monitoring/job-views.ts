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

/** A live job as the monitoring API shows it (the restaurant id instead of the raw partition key). */
export function jobSummaryView(job: JobSummary) {
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
    consumer: job.consumer,
    idleMs: job.idleMs,
    deliveries: job.deliveries,
  };
}

/** Stacks show file paths and code: only admins see them. */
const withStacks = (errors: RecordedError[], showStacks: boolean) =>
  showStacks ? errors : errors.map((e) => ({ ...e, stack: null }));

/** A failed job as a list row; the stack only when `showStacks` (admins). */
export function failedJobView(job: FailedJob, showStacks: boolean) {
  return {
    id: job.jobId,
    name: job.name,
    queue: job.queue,
    restaurantId: restaurantIdOf(job.partition),
    attempts: job.attempts,
    reason: job.reason,
    error: job.error,
    stack: showStacks ? job.stack : null,
    failedAt: job.failedAt,
    payload: job.payload,
  };
}

/** One job wherever it is, with its payload, its recorded errors, its timeline and, when it failed, why. */
export function jobDetailView(found: JobLookup, now: number, showStacks: boolean) {
  if (found.state !== "failed") {
    return {
      ...jobSummaryView(found),
      payload: found.payload,
      failure: null,
      errors: withStacks(liveJobErrors(found), showStacks),
      timeline: liveJobTimeline(found, now),
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
    failure: { reason: f.reason, error: f.error, stack: showStacks ? f.stack : null, failedAt: f.failedAt },
    errors: withStacks(failedJobErrors(f), showStacks),
    timeline: failedJobTimeline(f),
  };
}

/** The partition of a looked-up job, wherever it is. */
export function partitionOf(found: JobLookup): string | null {
  return found.state === "failed" ? found.failed.partition : found.partition;
}
