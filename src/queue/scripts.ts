import { type StreamEntry, toNumber, toStreamEntries } from "../redis/replies";
import { defineScript, runScript } from "../redis/script";
import type { RedisArg, RedisConnection } from "../redis/types";
import type { ShardKeys } from "./keys";
import ackJobsSource from "./lua/ack-jobs-5.lua" with { type: "text" };
import addJobsSource from "./lua/add-jobs-7.lua" with { type: "text" };
import batchReportedSource from "./lua/batch-reported-2.lua" with { type: "text" };
import cancelBatchSource from "./lua/cancel-batch-1.lua" with { type: "text" };
import claimEntriesSource from "./lua/claim-entries-2.lua" with { type: "text" };
import claimStalledSource from "./lua/claim-stalled-2.lua" with { type: "text" };
import extendClaimSource from "./lua/extend-claim-1.lua" with { type: "text" };
import finishJobSource from "./lua/finish-job-5.lua" with { type: "text" };
import promoteDueJobsSource from "./lua/promote-due-jobs-4.lua" with { type: "text" };
import requeueJobsSource from "./lua/requeue-jobs-2.lua" with { type: "text" };
import retryJobSource from "./lua/retry-job-7.lua" with { type: "text" };
import settleBatchSource from "./lua/settle-batch-2.lua" with { type: "text" };

// Versioned names: a changed script gets a new name (and SHA) so mixed deployments never mix them.
const addJobs = defineScript("queue:add-jobs:v2", 7, addJobsSource);
const promoteDueJobs = defineScript("queue:promote-due-jobs:v1", 4, promoteDueJobsSource);
const ackJobs = defineScript("queue:ack-jobs:v3", 5, ackJobsSource);
const retryJob = defineScript("queue:retry-job:v2", 7, retryJobSource);
const finishJob = defineScript("queue:finish-job:v3", 5, finishJobSource);
const settleBatch = defineScript("queue:settle-batch:v1", 2, settleBatchSource);
const cancelBatch = defineScript("queue:cancel-batch:v1", 1, cancelBatchSource);
const batchReported = defineScript("queue:batch-reported:v1", 2, batchReportedSource);
const extendClaim = defineScript("queue:extend-claim:v1", 1, extendClaimSource);
const requeueJobs = defineScript("queue:requeue-jobs:v1", 2, requeueJobsSource);
const claimStalled = defineScript("queue:claim-stalled:v1", 2, claimStalledSource);
const claimEntries = defineScript("queue:claim-entries:v1", 2, claimEntriesSource);

export type NewJob = {
  jobId: string;
  envelope: string;
  /** 0 = now. */
  dueAt: number;
  uniqueKey?: string;
  uniqueUntil?: number;
};

/** A script's result for one job: the entry id, "delayed", or a negative `QueueScriptError`. */
export type AddJobResult = string | number;

/** A job's membership in a batch as the settling scripts count it: processed, failed or skipped. */
export type BatchOutcome = "p" | "f" | "s";

export type AckItem = { entryId: string; jobId: string; uniqueKey?: string; batchId?: string; outcome?: BatchOutcome };

/** One shard's part of a batch as reported to its home shard. */
export type BatchPartCounts = { processed: number; failed: number; skipped: number };

export type RetryArgs = {
  group: string;
  consumer: string;
  entryId: string;
  jobId: string;
  queue: string;
  envelope: string;
  dueAt: number;
  now: number;
  uniqueKey?: string;
  uniqueUntil?: number;
};

/** One method per Lua script; each builds its KEYS from the shard's key map. */
export class QueueScripts {
  constructor(private readonly redis: RedisConnection) {}

  /** add-jobs-7: adds jobs of one queue to a shard. */
  async addJobs(keys: ShardKeys, queue: string, now: number, jobs: readonly NewJob[]): Promise<AddJobResult[]> {
    const args: RedisArg[] = [now, queue];
    for (const job of jobs) {
      args.push(job.jobId, job.envelope, job.dueAt, job.uniqueKey ?? "", job.uniqueUntil ?? 0);
    }
    const reply = await runScript(
      this.redis,
      addJobs,
      [keys.stream(queue), keys.delayed, keys.delayedJobs, keys.index, keys.unique, keys.counts, keys.uniqueOwners],
      args,
    );
    return (reply as unknown[]).map((value) => (typeof value === "number" ? value : String(value)));
  }

  /** promote-due-jobs-4: moves due delayed jobs into their streams; returns the next due time. */
  async promoteDueJobs(
    keys: ShardKeys,
    now: number,
    limit: number,
  ): Promise<{ moved: number; nextDueAt: number | null }> {
    const reply = (await runScript(
      this.redis,
      promoteDueJobs,
      [keys.delayed, keys.delayedJobs, keys.index, keys.counts],
      [now, limit, keys.stream("")],
    )) as unknown[];
    const nextDueAt = toNumber(reply[1]);
    return { moved: toNumber(reply[0]), nextDueAt: nextDueAt < 0 ? null : nextDueAt };
  }

  /** ack-jobs-5: acks and deletes a batch of finished entries of one stream, counting batch members. */
  async ackJobs(keys: ShardKeys, queue: string, group: string, items: readonly AckItem[]): Promise<number> {
    const args: RedisArg[] = [group, keys.batchPrefix];
    for (const item of items) {
      args.push(item.entryId, item.jobId, item.uniqueKey ?? "", item.batchId ?? "", item.outcome ?? "p");
    }
    return toNumber(
      await runScript(
        this.redis,
        ackJobs,
        [keys.stream(queue), keys.index, keys.unique, keys.uniqueOwners, keys.batchOutbox],
        args,
      ),
    );
  }

  /** retry-job-7: reschedules an owned entry (failed try or release). 1 or a negative code. */
  async retryJob(keys: ShardKeys, a: RetryArgs): Promise<number> {
    const reply = await runScript(
      this.redis,
      retryJob,
      [keys.stream(a.queue), keys.delayed, keys.delayedJobs, keys.index, keys.counts, keys.unique, keys.uniqueOwners],
      [
        a.group,
        a.consumer,
        a.entryId,
        a.jobId,
        a.queue,
        a.envelope,
        a.dueAt,
        a.now,
        a.uniqueKey ?? "",
        a.uniqueUntil ?? 0,
      ],
    );
    return toNumber(reply);
  }

  /** finish-job-5: removes an owned entry for good (failed or dropped). 1 or a negative code. */
  async finishJob(
    keys: ShardKeys,
    queue: string,
    a: {
      group: string;
      consumer: string;
      entryId: string;
      jobId: string;
      uniqueKey?: string;
      batchId?: string;
      outcome: "failed" | "dropped";
    },
  ): Promise<number> {
    const reply = await runScript(
      this.redis,
      finishJob,
      [keys.stream(queue), keys.index, keys.unique, keys.uniqueOwners, keys.batchOutbox],
      [
        a.group,
        a.consumer,
        a.entryId,
        a.jobId,
        a.uniqueKey ?? "",
        keys.batchPrefix,
        a.batchId ?? "",
        a.outcome === "failed" ? "f" : "p",
      ],
    );
    return toNumber(reply);
  }

  /**
   * settle-batch-2: reports one shard's part to the batch's home shard, which fires callbacks.
   * Returns null when the batch record is gone, else whether it finished now and what fired.
   */
  async settleBatch(
    home: ShardKeys,
    batchId: string,
    shard: number,
    part: BatchPartCounts,
    now: number,
    keepSeconds: number,
  ): Promise<{ finished: boolean; fired: string[] } | null> {
    const reply = await runScript(
      this.redis,
      settleBatch,
      [home.batch(batchId), home.index],
      [home.stream(""), shard, part.processed, part.failed, part.skipped, now, keepSeconds],
    );
    if (!Array.isArray(reply)) return null;
    return { finished: toNumber(reply[0]) === 1, fired: reply.slice(1).map(String) };
  }

  /** cancel-batch-1: 1 cancelled now, 0 already finished or cancelled, -4 no such batch. */
  async cancelBatch(home: ShardKeys, batchId: string, now: number): Promise<number> {
    return toNumber(await runScript(this.redis, cancelBatch, [home.batch(batchId)], [now]));
  }

  /** batch-reported-2: clears a batch from the shard's outbox unless more settled since `settled`. */
  async batchReported(keys: ShardKeys, batchId: string, settled: number): Promise<boolean> {
    return (
      toNumber(
        await runScript(this.redis, batchReported, [keys.batchPart(batchId), keys.batchOutbox], [batchId, settled]),
      ) === 1
    );
  }

  /** extend-claim-1: resets idle time of entries still owned; returns those entry ids. */
  async extendClaim(
    keys: ShardKeys,
    queue: string,
    group: string,
    consumer: string,
    entryIds: readonly string[],
  ): Promise<string[]> {
    if (entryIds.length === 0) return [];
    const reply = await runScript(this.redis, extendClaim, [keys.stream(queue)], [group, consumer, ...entryIds]);
    return Array.isArray(reply) ? reply.map(String) : [];
  }

  /** requeue-jobs-2: hands unstarted owned entries back to the stream's tail. */
  async requeueJobs(
    keys: ShardKeys,
    queue: string,
    group: string,
    consumer: string,
    items: readonly { entryId: string; jobId: string }[],
  ): Promise<number> {
    if (items.length === 0) return 0;
    const args: RedisArg[] = [group, consumer, queue];
    for (const item of items) args.push(item.entryId, item.jobId);
    return toNumber(await runScript(this.redis, requeueJobs, [keys.stream(queue), keys.index], args));
  }

  /**
   * claim-stalled-2: claims up to `max` entries of a queue idle for at least `minIdleMs`, with
   * their delivery counts; none while the queue is paused.
   */
  async claimStalled(
    keys: ShardKeys,
    queue: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    max: number,
  ): Promise<Array<StreamEntry & { deliveries: number }>> {
    const reply = await runScript(
      this.redis,
      claimStalled,
      [keys.stream(queue), keys.paused],
      [group, consumer, queue, minIdleMs, max],
    );
    if (!Array.isArray(reply)) return [];
    return reply.flatMap((row: unknown[]) =>
      toStreamEntries([row]).map((entry) => ({ ...entry, deliveries: toNumber(row[2]) || 1 })),
    );
  }

  /** claim-entries-2: claims these entries once idle for at least `minIdleMs`; none while the queue is paused. */
  async claimEntries(
    keys: ShardKeys,
    queue: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    entryIds: readonly string[],
  ): Promise<StreamEntry[]> {
    if (entryIds.length === 0) return [];
    return toStreamEntries(
      await runScript(
        this.redis,
        claimEntries,
        [keys.stream(queue), keys.paused],
        [group, consumer, queue, minIdleMs, ...entryIds],
      ),
    );
  }
}
