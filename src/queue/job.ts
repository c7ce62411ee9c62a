import type { z } from "zod";
import type { QueueLogger } from "./logger";

/** What a handler gets besides its payload. */
export type JobContext = {
  readonly jobId: string;
  /** 1 for the first try; releases and redeliveries after a crash do not increase it. */
  readonly attempt: number;
  /** Aborts when the attempt passes the job's timeout or the worker stops for good. */
  readonly signal: AbortSignal;
  readonly log: QueueLogger;
  /** Puts the job back in the queue after `delaySeconds` once the handler returns; does not use a try. */
  release(delaySeconds: number): void;
  /**
   * Resets the entry's idle time so no other worker reclaims it during long work. Resolves false
   * when another worker has already taken the job over.
   */
  extendClaim(): Promise<boolean>;
  /** Set for a job of a batch and for a batch's callbacks. */
  readonly batch?: JobBatchContext;
};

/** What a job learns about its batch. */
export type JobBatchContext = {
  readonly id: string;
  /** Whether the batch was cancelled when this attempt started (a job of a cancelled batch is skipped before it starts). */
  readonly cancelled: boolean;
  /** Asks Redis again, for long jobs that want to stop early once their batch is cancelled. */
  isCancelled(): Promise<boolean>;
};

/** What producers and consumers agree on: everything about a job but the code that runs it. */
export type JobContractOptions<S extends z.ZodType> = {
  /** Unique job name; it travels in the envelope and picks the handler. */
  name: string;
  /** The priority stream it goes to unless dispatch says otherwise (`high`, `default`, `low`). */
  queue: string;
  /** Total attempts, the first included. */
  tries: number;
  /** Seconds before each retry; the last value repeats. */
  backoff: readonly number[];
  /** Seconds an attempt may run before its signal aborts and it counts as failed. */
  timeout: number;
  /** A `MissingModelError` from the handler drops the job instead of retrying or failing it. */
  deleteWhenMissingModels?: boolean;
  payload: S;
  /** Picks the shard and tags the job (the app uses the restaurant id) for filtering in monitoring. */
  partitionKey?: (payload: z.output<S>) => string;
  /** Identity used by `uniqueFor`: a second job with the same key is refused while one is pending. */
  uniqueKey?: (payload: z.output<S>) => string;
};

/** A job's contract, checked once: what `Queue.dispatch` and the monitor need. */
export type JobContract<S extends z.ZodType = z.ZodType> = Readonly<JobContractOptions<S>>;

/** Any contract, for lists that hold jobs of different payload types. */
// biome-ignore lint/suspicious/noExplicitAny: lists hold contracts of unrelated payload schemas
export type AnyJobContract = JobContract<any>;

/** Return = success, throw = retry (until tries run out). */
export type JobHandler<S extends z.ZodType> = (payload: z.output<S>, ctx: JobContext) => Promise<void> | void;

export type JobOptions<S extends z.ZodType> = JobContractOptions<S> & { handle: JobHandler<S> };

/** A contract with its handler: what a `Worker` runs. */
export type JobDefinition<S extends z.ZodType = z.ZodType> = Readonly<JobOptions<S>>;

/** Any job definition, for registries that hold jobs of different payload types. */
// biome-ignore lint/suspicious/noExplicitAny: registries hold definitions of unrelated payload schemas
export type AnyJobDefinition = JobDefinition<any>;

/**
 * Defines a job's contract, apart from its handler, so a producer can dispatch it without
 * loading what the handler needs.
 * @example
 * const SendReceipt = defineJobContract({
 *   name: "SendReceipt", queue: "default", tries: 3, backoff: [10, 60], timeout: 30,
 *   payload: z.object({ orderId: z.number() }),
 *   partitionKey: (p) => String(p.orderId),
 * });
 */
export function defineJobContract<S extends z.ZodType>(options: JobContractOptions<S>): JobContract<S> {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(options.name)) throw new Error(`invalid job name "${options.name}"`);
  if (!/^[a-z0-9_-]{1,40}$/.test(options.queue)) throw new Error(`invalid queue name "${options.queue}"`);
  if (!Number.isInteger(options.tries) || options.tries < 1) throw new Error(`${options.name}: tries must be >= 1`);
  if (options.backoff.some((s) => !(s >= 0))) throw new Error(`${options.name}: backoff values must be >= 0`);
  if (!(options.timeout > 0)) throw new Error(`${options.name}: timeout must be > 0 seconds`);
  return Object.freeze({ ...options, backoff: Object.freeze([...options.backoff]) });
}

/**
 * Implements a contract: the definition a `Worker` runs.
 * @example
 * const sendReceipt = implementJob(SendReceipt, async (payload, ctx) => {
 *   await send(payload.orderId, { signal: ctx.signal });
 * });
 */
export function implementJob<S extends z.ZodType>(contract: JobContract<S>, handle: JobHandler<S>): JobDefinition<S> {
  return Object.freeze({ ...contract, handle });
}

/** A contract and its handler in one step, for jobs whose producer and consumer are the same code. */
export function defineJob<S extends z.ZodType>(options: JobOptions<S>): JobDefinition<S> {
  const { handle, ...contract } = options;
  return implementJob(defineJobContract(contract), handle);
}

/** Seconds to wait before the retry that follows failed attempt number `attempt` (1-based). */
export function backoffSeconds(job: Pick<JobContract, "backoff">, attempt: number): number {
  if (job.backoff.length === 0) return 0;
  return job.backoff[Math.min(attempt, job.backoff.length) - 1] ?? 0;
}
