import type { FailedJob } from "./failed-store";
import type { JobDetail } from "./inspect-jobs";

/**
 * One step of a job's life as the queue's own records show it. `at` is null where the queue does
 * not keep the time (an earlier attempt's failure: only the attempt count and the last error travel
 * with the job).
 */
export type TimelineEvent = {
  kind: "dispatched" | "attempt-failed" | "available" | "queued" | "running" | "failed";
  at: number | null;
  /** The attempt the event belongs to (1-based), when it belongs to one. */
  attempt: number | null;
  detail: string | null;
};

/** An error the queue recorded for a job; the stack is kept only for the failure that ended it. */
export type RecordedError = { attempt: number; at: number | null; message: string; stack: string | null };

/** The time a stream entry was added (`<ms>-<seq>` ids, as XADD `*` writes them). */
export function entryTime(entryId: string): number | null {
  const ms = Number(entryId.split("-")[0]);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

function earlierAttempts(count: number, lastError: string | undefined, lastIsFailure: boolean): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const failedAttempts = lastIsFailure ? count - 1 : count;
  for (let attempt = 1; attempt <= failedAttempts; attempt++) {
    const detail = attempt === count && lastError !== undefined ? lastError : null;
    events.push({ kind: "attempt-failed", at: null, attempt, detail });
  }
  return events;
}

/** A live job's timeline: dispatch, failed attempts, when it became available, stream entry, current run. */
export function liveJobTimeline(job: JobDetail, now: number): TimelineEvent[] {
  const e = job.envelope;
  const events: TimelineEvent[] = [{ kind: "dispatched", at: e.createdAt, attempt: null, detail: null }];
  events.push(...earlierAttempts(e.attempts, e.lastError, false));
  if (job.state === "delayed") {
    events.push({ kind: "available", at: job.dueAt, attempt: e.attempts + 1, detail: "delayed until then" });
    return events;
  }
  if (e.availableAt > e.createdAt) {
    events.push({ kind: "available", at: e.availableAt, attempt: e.attempts + 1, detail: "after a delay" });
  }
  const queuedAt = job.entryId ? entryTime(job.entryId) : null;
  events.push({ kind: "queued", at: queuedAt, attempt: e.attempts + 1, detail: `in stream ${job.queue}` });
  if (job.state === "in-flight") {
    const deliveries = job.deliveries ?? 1;
    events.push({
      kind: "running",
      at: job.idleMs === null ? null : now - job.idleMs,
      attempt: e.attempts + 1,
      detail: `on ${job.consumer ?? "a worker"}${deliveries > 1 ? `, delivery ${deliveries}` : ""}`,
    });
  }
  return events;
}

/**
 * The attempt that ended a failed job. Exhausted and non-retryable failures count the failing
 * attempt in `attempts`; the others (poison, invalid payload, unknown job) end the job before or
 * without counting a try, so the failing attempt is the next one.
 */
export function finalAttempt(job: FailedJob): number {
  return job.reason === "exhausted" || job.reason === "non-retryable" ? Math.max(job.attempts, 1) : job.attempts + 1;
}

/** A failed job's timeline: dispatch, earlier failed attempts, the last time it became available, the failure. */
export function failedJobTimeline(job: FailedJob): TimelineEvent[] {
  const e = job.envelope;
  const final = finalAttempt(job);
  const events: TimelineEvent[] = [{ kind: "dispatched", at: e.createdAt, attempt: null, detail: null }];
  events.push(...earlierAttempts(final, undefined, true));
  if (e.availableAt > e.createdAt) {
    events.push({ kind: "available", at: e.availableAt, attempt: final, detail: "after a delay" });
  }
  events.push({ kind: "failed", at: job.failedAt, attempt: final, detail: `${job.reason}: ${job.error}` });
  return events;
}

/** The errors a failed job kept: the failure that ended it, with its stack. */
export function failedJobErrors(job: FailedJob): RecordedError[] {
  return [{ attempt: finalAttempt(job), at: job.failedAt, message: job.error, stack: job.stack }];
}

/** The errors a live job carries: the last failed attempt's message (the queue keeps no stack for it). */
export function liveJobErrors(job: JobDetail): RecordedError[] {
  const e = job.envelope;
  return e.lastError ? [{ attempt: e.attempts, at: null, message: e.lastError, stack: null }] : [];
}
