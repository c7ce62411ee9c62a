import { toNumber, toRecord } from "../redis/replies";
import type { RedisArg, RedisConnection } from "../redis/types";
import { type Clock, systemClock } from "./clock";
import { type JobEnvelope, newJobId } from "./envelope";
import { InvalidPayloadError, QueueScriptError } from "./errors";
import type { AnyJobContract } from "./job";
import type { QueueKeys, ShardKeys } from "./keys";
import { QueueScripts } from "./scripts";

/** One job of a batch: a contract and its payload (checked against the contract at dispatch), optionally on another queue. */
export type BatchJob = { job: AnyJobContract; payload: unknown; queue?: string };

/** A callback: an ordinary job, dispatched once by the batch's home shard when its moment comes. */
export type BatchCallback = BatchJob;

export type BatchOptions = {
  name: string;
  /** Once every job succeeded (or, with `allowFailures`, every job ended), unless the batch was cancelled. */
  then?: BatchCallback;
  /** At the batch's first failed job. */
  catch?: BatchCallback;
  /** Once every job ended (processed, failed or skipped). */
  finally?: BatchCallback;
  /** Without it, the first failure cancels the batch (its unstarted jobs are skipped). */
  allowFailures?: boolean;
  /** An opaque label to list batches by (the app uses the restaurant id, or "" for platform-wide). */
  scope?: string;
  /** Anything the caller wants back with the record (kept as JSON). */
  meta?: Record<string, unknown>;
};

/** A batch's record with its live progress. */
export type BatchRecord = {
  id: string;
  name: string;
  scope: string;
  meta: Record<string, unknown>;
  allowFailures: boolean;
  total: number;
  pending: number;
  processed: number;
  failed: number;
  skipped: number;
  failedJobIds: string[];
  createdAt: number;
  cancelledAt: number | null;
  finishedAt: number | null;
};

/** A batch's keys live this long from its creation; a batch running longer loses its counts. */
export const BATCH_MAX_LIFETIME_SECONDS = 30 * 24 * 3600;
/** A finished batch's record stays in Redis this long (the app keeps history in its database). */
export const BATCH_KEEP_SECONDS = 7 * 24 * 3600;
const CALLBACKS = ["then", "catch", "finally"] as const;

function envelopeFor(entry: BatchJob, now: number): JobEnvelope {
  const parsed = entry.job.payload.safeParse(entry.payload);
  if (!parsed.success) {
    throw new InvalidPayloadError(
      entry.job.name,
      parsed.error.issues
        .map((i: { path: PropertyKey[]; message: string }) => `${i.path.join(".")}: ${i.message}`)
        .join("; "),
    );
  }
  const envelope: JobEnvelope = {
    id: newJobId(),
    name: entry.job.name,
    queue: entry.queue ?? entry.job.queue,
    payload: parsed.data,
    attempts: 0,
    createdAt: now,
    availableAt: now,
  };
  const partition = entry.job.partitionKey?.(parsed.data);
  if (partition !== undefined) envelope.partition = partition;
  return envelope;
}

/**
 * A callback's envelope without its times and closing brace: the settle script appends the
 * moment it fires (`,"createdAt":now}`), so its wait is measured from then, not from dispatch.
 */
function openEnvelope(envelope: JobEnvelope, batchId: string): string {
  const { createdAt: _c, availableAt: _a, attempts: _n, ...rest } = envelope;
  return JSON.stringify({ ...rest, callbackOf: batchId }).slice(0, -1);
}

function optionalTime(value: unknown): number | null {
  return value == null || value === "" ? null : Number(value);
}

/**
 * Job batches: many jobs dispatched as one unit whose progress is counted exactly by the same
 * scripts that ack and fail jobs (see ADR 0024). The batch's record lives on its home shard
 * (picked from its id); each shard holding some of its jobs keeps a part with that shard's counts.
 */
export class JobBatches {
  readonly #redis: RedisConnection;
  readonly #keys: QueueKeys;
  readonly #scripts: QueueScripts;
  readonly #clock: Clock;

  constructor(options: { redis: RedisConnection; keys: QueueKeys; clock?: Clock }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#scripts = new QueueScripts(options.redis);
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Validates every payload, writes the record and the parts, then the jobs. Returns the envelopes
   * grouped by shard for the queue to add: every part exists before any of its jobs can be acked.
   */
  async prepare(
    jobs: readonly BatchJob[],
    options: BatchOptions,
  ): Promise<{ id: string; byShard: Map<number, JobEnvelope[]> }> {
    if (jobs.length === 0) throw new Error("a batch needs at least one job");
    const now = this.#clock.now();
    const id = newJobId();
    const byShard = new Map<number, JobEnvelope[]>();
    for (const entry of jobs) {
      const envelope = { ...envelopeFor(entry, now), batch: id };
      // Spread jobs without a partition key evenly, by their own id.
      const shard =
        envelope.partition !== undefined ? this.#keys.shardFor(envelope.partition) : this.#keys.batchHome(envelope.id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), envelope]);
    }
    const home = this.#keys.shard(this.#keys.batchHome(id));
    const record: RedisArg[] = [
      "name",
      options.name,
      "scope",
      options.scope ?? "",
      "meta",
      JSON.stringify(options.meta ?? {}),
      "total",
      jobs.length,
      "shards",
      [...byShard.keys()].join(","),
      "allowFailures",
      options.allowFailures ? "1" : "0",
      "createdAt",
      now,
    ];
    for (const kind of CALLBACKS) {
      const callback = options[kind];
      if (!callback) continue;
      const envelope = envelopeFor(callback, now);
      record.push(
        `${kind}:queue`,
        envelope.queue,
        `${kind}:id`,
        envelope.id,
        `${kind}:job`,
        openEnvelope(envelope, id),
      );
    }
    const commands: Array<readonly [string, RedisArg[]]> = [
      ["HSET", [home.batch(id), ...record]],
      ["EXPIRE", [home.batch(id), BATCH_MAX_LIFETIME_SECONDS]],
    ];
    for (const [shard, envelopes] of byShard) {
      const keys = this.#keys.shard(shard);
      commands.push(
        ["HSET", [keys.batchPart(id), "total", envelopes.length, "processed", 0, "failed", 0, "skipped", 0]],
        ["EXPIRE", [keys.batchPart(id), BATCH_MAX_LIFETIME_SECONDS]],
        // Created now so that it carries the expiry; the acking scripts add one field per job.
        ["HSET", [keys.batchJobs(id), "", ""]],
        ["EXPIRE", [keys.batchJobs(id), BATCH_MAX_LIFETIME_SECONDS]],
      );
    }
    commands.push(["ZADD", [this.#keys.global.batches, now, id]]);
    const replies = await this.#redis.pipeline(commands);
    const error = replies.find((r) => r instanceof Error);
    if (error) throw error;
    return { id, byShard };
  }

  /** Stops the batch: jobs that have not started are skipped. False when it had already finished. */
  async cancel(id: string): Promise<"cancelled" | "already-ended" | "not-found"> {
    const home = this.#keys.shard(this.#keys.batchHome(id));
    const code = await this.#scripts.cancelBatch(home, id, this.#clock.now());
    if (code === QueueScriptError.BatchNotFound) return "not-found";
    return code === 1 ? "cancelled" : "already-ended";
  }

  /** Whether the batch was cancelled (or is gone: nothing of it should run then). */
  async isCancelled(id: string): Promise<boolean> {
    const home = this.#keys.shard(this.#keys.batchHome(id));
    const [exists, cancelledAt] = await this.#redis.pipeline([
      ["EXISTS", [home.batch(id)]],
      ["HGET", [home.batch(id), "cancelledAt"]],
    ]);
    return toNumber(exists) === 0 || (cancelledAt != null && !(cancelledAt instanceof Error));
  }

  /** The record with live counts summed from every shard's part; null when unknown or expired. */
  async find(id: string): Promise<BatchRecord | null> {
    const home = this.#keys.shard(this.#keys.batchHome(id));
    const fields = toRecord(await this.#redis.send("HGETALL", [home.batch(id)]));
    if (!fields.name) return null;
    const shards = String(fields.shards ?? "")
      .split(",")
      .filter(Boolean)
      .map(Number);
    const parts = await Promise.all(shards.map((shard) => this.#readPart(this.#keys.shard(shard), id)));
    const sum = (pick: (p: { processed: number; failed: number; skipped: number }) => number, prefix: string) =>
      shards.reduce((n, shard, i) => n + Math.max(pick(parts[i]!), Number(fields[`${prefix}:${shard}`] ?? 0)), 0);
    const total = Number(fields.total);
    const processed = sum((p) => p.processed, "p");
    const failed = sum((p) => p.failed, "f");
    const skipped = sum((p) => p.skipped, "s");
    return {
      id,
      name: String(fields.name),
      scope: String(fields.scope ?? ""),
      meta: JSON.parse(String(fields.meta ?? "{}")) as Record<string, unknown>,
      allowFailures: fields.allowFailures === "1",
      total,
      pending: Math.max(0, total - processed - failed - skipped),
      processed,
      failed,
      skipped,
      failedJobIds: parts.flatMap((p) => p.failedJobIds).sort(),
      createdAt: Number(fields.createdAt),
      cancelledAt: optionalTime(fields.cancelledAt),
      finishedAt: optionalTime(fields.finishedAt),
    };
  }

  /** Newest first; `scopes` limits them to those labels. Reads at most `scan` of the newest ids. */
  async list(options: { scopes?: readonly string[]; limit?: number; scan?: number } = {}): Promise<BatchRecord[]> {
    const ids = await this.#redis.send("ZRANGE", [this.#keys.global.batches, 0, (options.scan ?? 500) - 1, "REV"]);
    const records = await Promise.all((Array.isArray(ids) ? ids.map(String) : []).map((id) => this.find(id)));
    const scopes = options.scopes ? new Set(options.scopes) : null;
    return records
      .filter((r): r is BatchRecord => r !== null && (scopes === null || scopes.has(r.scope)))
      .slice(0, options.limit ?? 100);
  }

  /** Forgets batches created before `before` (ms) from the list; their keys expire by themselves. */
  async prune(before: number): Promise<number> {
    return toNumber(await this.#redis.send("ZREMRANGEBYSCORE", [this.#keys.global.batches, "-inf", `(${before}`]));
  }

  async #readPart(keys: ShardKeys, id: string) {
    const [counts, jobs] = await Promise.all([
      this.#redis.send("HMGET", [keys.batchPart(id), "processed", "failed", "skipped"]),
      this.#redis.send("HGETALL", [keys.batchJobs(id)]),
    ]);
    const [processed, failed, skipped] = (Array.isArray(counts) ? counts : []).map((v) => Number(v ?? 0));
    const outcomes = toRecord(jobs);
    return {
      processed: processed ?? 0,
      failed: failed ?? 0,
      skipped: skipped ?? 0,
      failedJobIds: Object.keys(outcomes).filter((jobId) => outcomes[jobId] === "f"),
    };
  }
}
