/** Negative return codes of the queue's Lua scripts, by name. */
export enum QueueScriptError {
  /** The unique lock for this job is held by a copy that is waiting, delayed or running. */
  DuplicateJob = -1,
  /** The stream entry is no longer in the pending entries list (already acked or deleted). */
  EntryNotPending = -2,
  /** The stream entry is pending for another consumer (it was reclaimed from this worker). */
  EntryNotOwned = -3,
  /** No record of that batch (never created, or expired after its retention). */
  BatchNotFound = -4,
}

/** Throw from a handler to fail the job at once, without using its remaining tries. */
export class NonRetryableError extends Error {
  override name = "NonRetryableError";
}

/**
 * Throw from a handler when a record the job needs no longer exists. A job defined with
 * `deleteWhenMissingModels` is then dropped instead of retried or failed.
 */
export class MissingModelError extends Error {
  override name = "MissingModelError";
}

/** The reason an attempt ended past the job's timeout; the handler's signal carries it. */
export class JobTimeoutError extends Error {
  override name = "JobTimeoutError";
  constructor(readonly timeoutSeconds: number) {
    super(`job timed out after ${timeoutSeconds}s`);
  }
}

/** Dispatch refused a payload that does not match the job's schema. */
export class InvalidPayloadError extends Error {
  override name = "InvalidPayloadError";
  constructor(
    readonly jobName: string,
    readonly issues: string,
  ) {
    super(`invalid payload for ${jobName}: ${issues}`);
  }
}

/**
 * Redis did not take the jobs: it is unreachable, refused the write, or did not answer in time.
 * None, some or (after a timeout) all of them may still have been added, so a caller that must not
 * lose the work keeps its own record and dispatches again (with `uniqueFor` against duplicates).
 */
export class QueueUnavailableError extends Error {
  override name = "QueueUnavailableError";
}

/** Dispatch gave up waiting for Redis after its timeout (a stopped or hung server). */
export class DispatchTimeoutError extends QueueUnavailableError {
  override name = "DispatchTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`Redis did not take the job within ${timeoutMs} ms`);
  }
}

/**
 * A durable dispatch whose jobs no replica acknowledged in time. The jobs are on the master and
 * will run unless a failover loses them; callers treat the dispatch as not done (the POS sweeper
 * dispatches the row again, and the unique lock refuses the copy if the first survived).
 */
export class NotReplicatedError extends QueueUnavailableError {
  override name = "NotReplicatedError";
  constructor(readonly waitedMs: number) {
    super(`no replica acknowledged the dispatch within ${waitedMs} ms`);
  }
}
