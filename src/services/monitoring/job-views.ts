import type { FailedJob } from "../../queue/failed-store";
import type { JobSummary } from "../../queue/inspect-jobs";
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

/** A failed job as a list row. */
export function failedJobView(job: FailedJob) {
  return {
    id: job.jobId,
    name: job.name,
    queue: job.queue,
    restaurantId: restaurantIdOf(job.partition),
    attempts: job.attempts,
    reason: job.reason,
    error: job.error,
    stack: job.stack,
    failedAt: job.failedAt,
    payload: job.payload,
  };
}

/** One job wherever it is, with its payload and, when it failed, why. */
export function jobDetailView(found: JobLookup) {
  if (found.state !== "failed") return { ...jobSummaryView(found), payload: found.payload, failure: null };
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
    failure: { reason: f.reason, error: f.error, stack: f.stack, failedAt: f.failedAt },
  };
}

/** The partition of a looked-up job, wherever it is. */
export function partitionOf(found: JobLookup): string | null {
  return found.state === "failed" ? found.failed.partition : found.partition;
}
