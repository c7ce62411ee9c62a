import type { z } from "zod";
import type { RedisConnection } from "../redis/types";
import type { AckBatcher } from "./ack-batcher";
import type { AttemptDeadlines } from "./attempt-deadlines";
import type { BatchSettler } from "./batch-settler";
import type { JobBatches } from "./batches";
import type { Clock } from "./clock";
import { encodeEnvelope, type JobEnvelope } from "./envelope";
import { JobTimeoutError, MissingModelError, NonRetryableError, QueueScriptError } from "./errors";
import type { FailedJobStore, FailureReason } from "./failed-store";
import { type AnyJobDefinition, backoffSeconds, type JobBatchContext, type JobContext } from "./job";
import type { QueueKeys } from "./keys";
import { childLogger, type QueueLogger } from "./logger";
import type { AttemptOutcome, MetricsRecorder } from "./metrics";
import type { QueueScripts } from "./scripts";
import type { Delivery } from "./stall-recovery";
import { chargeSuspectStart, isSuspect } from "./suspect-starts";

/** Everything an attempt needs from its worker. */
export type AttemptDeps = {
  redis: RedisConnection;
  keys: QueueKeys;
  scripts: QueueScripts;
  consumer: string;
  clock: Clock;
  store: FailedJobStore;
  metrics: Pick<MetricsRecorder, "recordWait" | "recordOutcome">;
  /** The job timeouts' shared timer. */
  deadlines: AttemptDeadlines;
  acks: AckBatcher;
  batches: JobBatches;
  settler: BatchSettler;
  log: QueueLogger;
  jobs: ReadonlyMap<string, AnyJobDefinition>;
  /** Handler starts without finishing after which an entry is failed as poison. */
  maxDeliveries: number;
  /** Called once per finished attempt with how it ended. */
  onOutcome(outcome: AttemptOutcome): void;
};

/** A running attempt as the worker tracks it. */
export type RunningAttempt = {
  delivery: Delivery;
  startedAt: number;
  /** Made when the handler first reads `ctx.signal` (most never do: an AbortController per job was the attempt's largest cost). */
  controller?: AbortController;
  /** Why it was aborted, once it was: a signal asked for afterwards starts aborted. */
  abortedWith?: { reason: unknown };
  /** Set when the worker gave up waiting for it on shutdown: its result is ignored, the entry stays pending. */
  abandoned: boolean;
  /** Ends the wait for the handler (set while it runs); `abortAttempt` calls it. */
  stopWaiting?: (reason: unknown) => void;
};

/** The attempt's abort signal, made on first use; already aborted when the attempt was. */
export function signalOf(running: RunningAttempt): AbortSignal {
  if (!running.controller) {
    running.controller = new AbortController();
    if (running.abortedWith) running.controller.abort(running.abortedWith.reason);
  }
  return running.controller.signal;
}

/**
 * Aborts an attempt: its handler's `ctx.signal` fires (or starts aborted, if the handler has not
 * asked for it yet) and the attempt stops waiting for the handler. (A listener on the signal did
 * the latter, but `addEventListener` per job cost more than the rest of the attempt's bookkeeping.)
 */
export function abortAttempt(running: RunningAttempt, reason: unknown): void {
  if (running.abortedWith) return;
  running.abortedWith = { reason };
  running.controller?.abort(reason);
  running.stopWaiting?.(reason);
}

function describe(error: unknown): { message: string; stack: string | null } {
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, stack: error.stack ?? null };
  return { message: String(error), stack: null };
}

/** Runs one delivery to its end: handler, then ack, retry, release, drop or fail. */
export async function runAttempt(deps: AttemptDeps, running: RunningAttempt): Promise<void> {
  const { delivery } = running;
  const envelope = delivery.envelope;
  if (!envelope) {
    deps.log.error("dropping a stream entry that is not a job envelope", { entryId: delivery.entryId });
    deps.acks.add(delivery.shard, delivery.queue, { entryId: delivery.entryId, jobId: "" });
    return;
  }
  // Counted for the queue and for the job's name, partition and lifetime series (tenant-scoped
  // monitoring, /metrics).
  const now = deps.clock.now();
  deps.metrics.recordWait(delivery.queue, envelope, now, now - envelope.availableAt);
  const batchId = envelope.batch ?? envelope.callbackOf;
  const cancelled = batchId ? await deps.batches.isCancelled(batchId) : false;
  if (envelope.batch && cancelled) {
    // Its batch was cancelled before it started: skipped, counted as such in the batch.
    deps.acks.add(delivery.shard, delivery.queue, {
      entryId: delivery.entryId,
      jobId: envelope.id,
      uniqueKey: envelope.uniqueKey,
      batchId: envelope.batch,
      outcome: "s",
    });
    record(deps, delivery.queue, envelope, "dropped", null);
    return;
  }
  if (isSuspect(delivery)) {
    // Recorded before the handler runs: a handler that kills its process has been counted.
    const charged = await chargeSuspectStart(deps.redis, deps.keys.shard(delivery.shard), delivery.entryId);
    if (charged > deps.maxDeliveries) {
      return fail(deps, running, envelope, "poison", {
        message: `its handler started ${charged - 1} times without finishing (limit ${deps.maxDeliveries}); it may be crashing its worker`,
        stack: null,
      });
    }
  }
  const job = deps.jobs.get(envelope.name);
  if (!job) {
    return fail(deps, running, envelope, "unknown-job", {
      message: `no job named ${envelope.name} is registered`,
      stack: null,
    });
  }
  const parsed = job.payload.safeParse(envelope.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i: z.core.$ZodIssue) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return fail(deps, running, envelope, "invalid-payload", { message: `invalid payload: ${issues}`, stack: null });
  }

  const attempt = envelope.attempts + 1;
  let releaseSeconds: number | null = null;
  const batch: JobBatchContext | undefined = batchId
    ? { id: batchId, cancelled, isCancelled: () => deps.batches.isCancelled(batchId) }
    : undefined;
  const ctx: JobContext = {
    batch,
    jobId: envelope.id,
    attempt,
    get signal() {
      return signalOf(running);
    },
    // Made on first use, like the signal: most handlers never log.
    get log() {
      const log = childLogger(deps.log, { jobId: envelope.id, job: envelope.name, attempt });
      Object.defineProperty(this, "log", { value: log });
      return log;
    },
    release(delaySeconds) {
      releaseSeconds = Math.max(0, delaySeconds);
    },
    async extendClaim() {
      const owned = await deps.scripts.extendClaim(
        deps.keys.shard(delivery.shard),
        delivery.queue,
        deps.keys.group,
        deps.consumer,
        [delivery.entryId],
      );
      return owned.length > 0;
    },
  };
  const deadline = deps.deadlines.add(job.timeout * 1000, () =>
    abortAttempt(running, new JobTimeoutError(job.timeout)),
  );
  const started = performance.now();
  let error: unknown = null;
  try {
    // Settles with the handler, or with the abort (timeout, shutdown) when that comes first.
    await new Promise<void>((resolve, reject) => {
      running.stopWaiting = reject;
      queueMicrotask(() => {
        try {
          Promise.resolve(job.handle(parsed.data, ctx)).then(() => resolve(), reject);
        } catch (caught) {
          reject(caught);
        }
      });
    });
  } catch (caught) {
    error = caught;
  } finally {
    deadline.cancel();
    running.stopWaiting = undefined;
  }
  const runtimeMs = performance.now() - started;
  // The worker stopped waiting for this attempt; whatever it did, another worker redoes it.
  if (running.abandoned) return;

  if (releaseSeconds !== null) {
    return reschedule(deps, running, { ...envelope }, releaseSeconds, "released", runtimeMs);
  }
  if (error === null) {
    deps.acks.add(delivery.shard, delivery.queue, {
      entryId: delivery.entryId,
      jobId: envelope.id,
      uniqueKey: envelope.uniqueKey,
      batchId: envelope.batch,
    });
    record(deps, delivery.queue, envelope, "processed", runtimeMs);
    return;
  }
  const failure = describe(error);
  if (error instanceof MissingModelError && job.deleteWhenMissingModels) {
    await deps.scripts.finishJob(deps.keys.shard(delivery.shard), delivery.queue, {
      group: deps.keys.group,
      consumer: deps.consumer,
      entryId: delivery.entryId,
      jobId: envelope.id,
      uniqueKey: envelope.uniqueKey,
      batchId: envelope.batch,
      outcome: "dropped",
    });
    if (envelope.batch) deps.settler.request(delivery.shard);
    deps.log.info("job dropped: a model it needs is missing", {
      jobId: envelope.id,
      job: envelope.name,
      error: failure.message,
    });
    record(deps, delivery.queue, envelope, "dropped", runtimeMs);
    return;
  }
  if (error instanceof NonRetryableError) {
    return fail(deps, running, { ...envelope, attempts: attempt }, "non-retryable", failure, runtimeMs);
  }
  if (attempt >= job.tries) {
    return fail(deps, running, { ...envelope, attempts: attempt }, "exhausted", failure, runtimeMs);
  }
  deps.log.warn("attempt failed, will retry", {
    jobId: envelope.id,
    job: envelope.name,
    attempt,
    timedOut: error instanceof JobTimeoutError,
    error: failure.message,
  });
  return reschedule(
    deps,
    running,
    { ...envelope, attempts: attempt, lastError: failure.message },
    backoffSeconds(job, attempt),
    "retried",
    runtimeMs,
  );
}

function record(
  deps: AttemptDeps,
  queue: string,
  envelope: JobEnvelope,
  outcome: AttemptOutcome,
  runtimeMs: number | null,
): void {
  deps.metrics.recordOutcome(queue, envelope, deps.clock.now(), outcome, runtimeMs);
  deps.onOutcome(outcome);
}

async function reschedule(
  deps: AttemptDeps,
  running: RunningAttempt,
  envelope: JobEnvelope,
  delaySeconds: number,
  outcome: "retried" | "released",
  runtimeMs: number,
): Promise<void> {
  const { delivery } = running;
  const now = deps.clock.now();
  const dueAt = now + Math.round(delaySeconds * 1000);
  const code = await deps.scripts.retryJob(deps.keys.shard(delivery.shard), {
    group: deps.keys.group,
    consumer: deps.consumer,
    entryId: delivery.entryId,
    jobId: envelope.id,
    queue: delivery.queue,
    envelope: encodeEnvelope({ ...envelope, availableAt: dueAt }),
    dueAt,
    now,
    uniqueKey: envelope.uniqueKey,
    uniqueUntil: envelope.uniqueFor ? dueAt + envelope.uniqueFor : 0,
  });
  if (code < 0) {
    deps.log.warn("entry was taken over before it could be rescheduled", {
      jobId: envelope.id,
      reason: QueueScriptError[code],
    });
    return;
  }
  record(deps, delivery.queue, envelope, outcome, runtimeMs);
}

async function fail(
  deps: AttemptDeps,
  running: RunningAttempt,
  envelope: JobEnvelope,
  reason: FailureReason,
  failure: { message: string; stack: string | null },
  runtimeMs: number | null = null,
): Promise<void> {
  const { delivery } = running;
  const failedAt = deps.clock.now();
  // The store first: a crash before the entry is removed fails the job again (idempotent save)
  // instead of losing it.
  await deps.store.save({
    jobId: envelope.id,
    queue: delivery.queue,
    name: envelope.name,
    partition: envelope.partition ?? null,
    payload: envelope.payload,
    envelope: { ...envelope, lastError: failure.message },
    reason,
    error: failure.message,
    stack: failure.stack,
    attempts: envelope.attempts,
    failedAt,
  });
  const code = await deps.scripts.finishJob(deps.keys.shard(delivery.shard), delivery.queue, {
    group: deps.keys.group,
    consumer: deps.consumer,
    entryId: delivery.entryId,
    jobId: envelope.id,
    uniqueKey: envelope.uniqueKey,
    batchId: envelope.batch,
    outcome: "failed",
  });
  if (envelope.batch) deps.settler.request(delivery.shard);
  if (code === QueueScriptError.EntryNotOwned) {
    // Another worker reclaimed it and is running it: that worker decides its fate. Only this
    // worker's record goes; one the other worker saved meanwhile stays.
    await deps.store.deleteIfUnchanged([{ jobId: envelope.id, failedAt }]);
    return;
  }
  deps.log.error("job failed", { jobId: envelope.id, job: envelope.name, reason, error: failure.message });
  record(deps, delivery.queue, envelope, "failed", runtimeMs);
}
