import type { z } from "zod";
import type { RedisConnection } from "../redis/types";
import { type BatchJob, type BatchOptions, JobBatches } from "./batches";
import { type Clock, systemClock } from "./clock";
import { encodeEnvelope, type JobEnvelope, newJobId } from "./envelope";
import {
  DispatchTimeoutError,
  InvalidPayloadError,
  NotReplicatedError,
  QueueScriptError,
  QueueUnavailableError,
} from "./errors";
import type { JobContract } from "./job";
import { type QueueKeys, queueKeys } from "./keys";
import { type NewJob, QueueScripts } from "./scripts";
import { timeLimit } from "./time-limit";

export type QueueOptions = {
  redis: RedisConnection;
  /** Key prefix (the app's `REDIS_PREFIX`). */
  prefix: string;
  /** Number of shards (the app's `QUEUE_SHARDS`); must match the workers'. */
  shards?: number;
  clock?: Clock;
  /**
   * How long a dispatch waits for Redis to answer before it rejects with `DispatchTimeoutError`
   * (ms). It bounds each round trip (up to 500 jobs), so a large `dispatchMany` is not cut short.
   * Default 2 000.
   */
  dispatchTimeoutMs?: number;
};

export type DispatchOptions = {
  /** Overrides the job's queue (priority). */
  queue?: string;
  /** Seconds to wait before the job becomes available. */
  delay?: number;
  /** Seconds during which a second copy (same `uniqueKey`) is refused while one is pending. */
  uniqueFor?: number;
  /** Overrides the queue's dispatch timeout (ms): the longest wait for each Redis call of the dispatch. */
  timeoutMs?: number;
  /**
   * On Redis Cluster (or any connection that offers `waitForReplicas`): return only once a
   * replica holds the jobs (`WAIT 1`), so a failover right after cannot lose them; rejects with
   * `NotReplicatedError` past `DURABLE_WAIT_MS`. Nothing to wait for on a single node.
   */
  durable?: boolean;
};

/** How long a durable dispatch waits for a replica; well inside the API's dispatch budget. */
export const DURABLE_WAIT_MS = 500;

/** Default wait for Redis to take a dispatch. */
export const DEFAULT_DISPATCH_TIMEOUT_MS = 2_000;

/** Most jobs sent to Redis in one script call; keeps argument lists well inside Lua's limits. */
const ADD_BATCH = 500;

function validate<S extends z.ZodType>(job: JobContract<S>, payload: z.input<S>): z.output<S> {
  const parsed = job.payload.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidPayloadError(
      job.name,
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

/**
 * The producer side: dispatch jobs, pause and resume queues. Safe to share; it holds no
 * connection of its own.
 */
export class Queue {
  readonly keys: QueueKeys;
  /** Job batches on this queue's keys: records, progress, cancellation. */
  readonly batches: JobBatches;
  readonly #redis: RedisConnection;
  readonly #scripts: QueueScripts;
  readonly #clock: Clock;
  readonly #dispatchTimeoutMs: number;

  constructor(options: QueueOptions) {
    this.keys = queueKeys(options.prefix, options.shards ?? 1);
    this.#redis = options.redis;
    this.#scripts = new QueueScripts(options.redis);
    this.#clock = options.clock ?? systemClock;
    this.#dispatchTimeoutMs = options.dispatchTimeoutMs ?? DEFAULT_DISPATCH_TIMEOUT_MS;
    this.batches = new JobBatches({ redis: options.redis, keys: this.keys, clock: this.#clock });
  }

  /**
   * Dispatches jobs as one batch and returns its id. Its record counts them as they are
   * processed, fail or are skipped; `then`, `catch` and `finally` are jobs dispatched once each.
   * @example
   * const id = await queue.dispatchBatch(
   *   restaurants.map((r) => ({ job: MenuSyncFromPOS, payload: { restaurantId: r.id } })),
   *   { name: "menu sync", finally: { job: Notify, payload: {} } },
   * );
   */
  async dispatchBatch(jobs: readonly BatchJob[], options: BatchOptions): Promise<string> {
    if (jobs.length === 0) throw new Error("a batch needs at least one job");
    let prepared: Awaited<ReturnType<JobBatches["prepare"]>>;
    try {
      prepared = await this.batches.prepare(jobs, options);
    } catch (error) {
      if (error instanceof InvalidPayloadError) throw error;
      throw new QueueUnavailableError(`Redis did not take the batch: ${(error as Error).message}`, { cause: error });
    }
    const shardOf = new Map<string, number>();
    for (const [shard, envelopes] of prepared.byShard) for (const e of envelopes) shardOf.set(e.id, shard);
    await this.#addWithin([...prepared.byShard.values()].flat(), 0, undefined, false, (e) => shardOf.get(e.id)!);
    return prepared.id;
  }

  /** Cancels a batch: its jobs that have not started are skipped (`ctx.batch.cancelled`). */
  cancelBatch(id: string): Promise<"cancelled" | "already-ended" | "not-found"> {
    return this.batches.cancel(id);
  }

  /**
   * Validates the payload and adds the job. Returns its id, or null when `uniqueFor` refused it
   * because a copy is already waiting, delayed or running. Rejects with `QueueUnavailableError`
   * when Redis fails, and with its subclass `DispatchTimeoutError` when Redis does not answer in time.
   */
  async dispatch<S extends z.ZodType>(
    job: JobContract<S>,
    payload: z.input<S>,
    options: DispatchOptions = {},
  ): Promise<string | null> {
    const [id] = await this.dispatchMany(job, [payload], options);
    return id ?? null;
  }

  /** Dispatches many jobs of one kind in as few round trips as possible; ids in payload order. */
  async dispatchMany<S extends z.ZodType>(
    job: JobContract<S>,
    payloads: readonly z.input<S>[],
    options: DispatchOptions = {},
  ): Promise<Array<string | null>> {
    const now = this.#clock.now();
    const queue = options.queue ?? job.queue;
    const dueAt = options.delay && options.delay > 0 ? now + Math.round(options.delay * 1000) : 0;
    const uniqueFor = options.uniqueFor && options.uniqueFor > 0 ? Math.round(options.uniqueFor * 1000) : undefined;
    const envelopes = payloads.map((payload): JobEnvelope => {
      const data = validate(job, payload);
      const partition = job.partitionKey?.(data);
      const envelope: JobEnvelope = {
        id: newJobId(),
        name: job.name,
        queue,
        payload: data,
        attempts: 0,
        createdAt: now,
        availableAt: dueAt || now,
      };
      if (partition !== undefined) envelope.partition = partition;
      if (uniqueFor !== undefined) {
        envelope.uniqueKey = `${job.name}:${job.uniqueKey ? job.uniqueKey(data) : JSON.stringify(data)}`;
        envelope.uniqueFor = uniqueFor;
      }
      return envelope;
    });
    return this.#addWithin(envelopes, dueAt, options.timeoutMs, options.durable === true);
  }

  /**
   * Adds prepared envelopes again under their own ids (retrying failed jobs). Tries and the
   * unique lock start afresh.
   */
  async redispatch(envelopes: readonly JobEnvelope[]): Promise<Array<string | null>> {
    const now = this.#clock.now();
    return this.#addWithin(
      envelopes.map((e) => {
        const { lastError: _lastError, ...rest } = e;
        return { ...rest, attempts: 0, availableAt: now };
      }),
      0,
    );
  }

  /** `#add` with every Redis failure as a `QueueUnavailableError`. */
  async #addWithin(
    envelopes: readonly JobEnvelope[],
    dueAt: number,
    timeoutMs = this.#dispatchTimeoutMs,
    durable = false,
    shardOf?: (envelope: JobEnvelope) => number,
  ): Promise<Array<string | null>> {
    try {
      return await this.#add(envelopes, dueAt, timeoutMs, durable, shardOf);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError(`Redis did not take the job: ${(error as Error).message}`, { cause: error });
    }
  }

  async #addGroup(
    shard: number,
    queue: string,
    items: { envelope: JobEnvelope; index: number }[],
    dueAt: number,
    now: number,
    out: Array<string | null>,
    timeoutMs: number,
    durable: boolean,
  ) {
    const keys = this.keys.shard(shard);
    for (let start = 0; start < items.length; start += ADD_BATCH) {
      const slice = items.slice(start, start + ADD_BATCH);
      const jobs: NewJob[] = slice.map(({ envelope }) => ({
        jobId: envelope.id,
        envelope: encodeEnvelope(envelope),
        dueAt,
        uniqueKey: envelope.uniqueKey,
        uniqueUntil: envelope.uniqueFor ? now + envelope.uniqueFor : 0,
      }));
      const results = await timeLimit(
        this.#scripts.addJobs(keys, queue, now, jobs),
        timeoutMs,
        () => new DispatchTimeoutError(timeoutMs),
      );
      slice.forEach(({ envelope, index }, i) => {
        out[index] = results[i] === QueueScriptError.DuplicateJob ? null : envelope.id;
      });
    }
    if (durable && this.#redis.waitForReplicas) {
      const acked = await this.#redis.waitForReplicas(keys.stream(queue), 1, DURABLE_WAIT_MS);
      if (acked < 1) throw new NotReplicatedError(DURABLE_WAIT_MS);
    }
  }

  async #add(
    envelopes: readonly JobEnvelope[],
    dueAt: number,
    timeoutMs: number,
    durable: boolean,
    shardOf = (envelope: JobEnvelope) => this.keys.shardFor(envelope.partition ?? envelope.uniqueKey),
  ): Promise<Array<string | null>> {
    const now = this.#clock.now();
    const out: Array<string | null> = new Array(envelopes.length).fill(null);
    // Group by shard and queue: one script call covers one stream.
    const groups = new Map<
      string,
      { shard: number; queue: string; items: { envelope: JobEnvelope; index: number }[] }
    >();
    envelopes.forEach((envelope, index) => {
      const shard = shardOf(envelope);
      const id = `${shard} ${envelope.queue}`;
      let group = groups.get(id);
      if (!group) {
        group = { shard, queue: envelope.queue, items: [] };
        groups.set(id, group);
      }
      group.items.push({ envelope, index });
    });
    await Promise.all(
      [...groups.values()].map((g) => this.#addGroup(g.shard, g.queue, g.items, dueAt, now, out, timeoutMs, durable)),
    );
    return out;
  }

  /** Creates the consumer group of every stream of these queues on every shard (idempotent). */
  async ensureGroups(queues: readonly string[]): Promise<void> {
    const commands = [];
    for (let shard = 0; shard < this.keys.shards; shard++) {
      for (const queue of queues) {
        commands.push([
          "XGROUP",
          ["CREATE", this.keys.shard(shard).stream(queue), this.keys.group, "0", "MKSTREAM"],
        ] as const);
      }
    }
    const replies = await this.#redis.pipeline(commands);
    for (const reply of replies) {
      if (reply instanceof Error && !reply.message.includes("BUSYGROUP")) throw reply;
    }
  }

  /**
   * Stops workers from taking new jobs of this queue: once this resolves, no worker takes another
   * (their reads and claims check the paused set atomically). Running jobs finish.
   */
  async pause(queue: string): Promise<void> {
    await this.#everyShard("SADD", queue);
  }

  async resume(queue: string): Promise<void> {
    await this.#everyShard("SREM", queue);
  }

  /** Paused queue names (every shard holds the same set; shard 0 answers). */
  async pausedQueues(): Promise<string[]> {
    const reply = await this.#redis.send("SMEMBERS", [this.keys.shard(0).paused]);
    return Array.isArray(reply) ? reply.map(String).sort() : [];
  }

  async #everyShard(command: "SADD" | "SREM", queue: string): Promise<void> {
    const commands = [];
    for (let shard = 0; shard < this.keys.shards; shard++) {
      commands.push([command, [this.keys.shard(shard).paused, queue]] as const);
    }
    const replies = await this.#redis.pipeline(commands);
    const error = replies.find((r) => r instanceof Error);
    if (error) throw error;
  }
}
