import { toOptionalString, toScoredMembers, toStreamEntries } from "../redis/replies";
import type { RedisConnection } from "../redis/types";
import { decodeEnvelope, ENVELOPE_FIELD, type JobEnvelope } from "./envelope";
import { groupInfo } from "./inspect-depth";
import type { QueueKeys } from "./keys";
import { pendingRows } from "./pending-rows";

/** A queue nobody has used yet has no stream or group: that reads as empty; any other error is real. */
function noStreamYet(error: unknown): null {
  if (error instanceof Error && /NOGROUP|no such key/i.test(error.message)) return null;
  throw error;
}

export type LiveJobState = "waiting" | "in-flight" | "delayed";

/** A job that is still alive, as a monitoring list shows it. */
export type JobSummary = {
  id: string;
  name: string;
  queue: string;
  shard: number;
  state: LiveJobState;
  partition: string | null;
  attempts: number;
  createdAt: number;
  availableAt: number;
  lastError: string | null;
  /** The stream entry (waiting and in-flight jobs). */
  entryId: string | null;
  /** When a delayed job becomes due (ms). */
  dueAt: number | null;
  /** In-flight jobs: who holds it, for how long, how often it was delivered. */
  consumer: string | null;
  idleMs: number | null;
  deliveries: number | null;
};

export type JobDetail = JobSummary & { payload: unknown; envelope: JobEnvelope };

/** One row of the pending entries list. */
export type PendingEntry = {
  entryId: string;
  /** Null when the entry's data is gone (deleted under a worker). */
  jobId: string | null;
  name: string | null;
  partition: string | null;
  queue: string;
  shard: number;
  consumer: string;
  idleMs: number;
  deliveries: number;
  /** Idle past the queue's stall threshold: a live worker will reclaim it. */
  stalled: boolean;
};

export type JobListFilter = {
  state: LiveJobState;
  queue?: string;
  /** Only jobs of these partitions (restaurant ids). */
  partitions?: readonly string[];
  limit: number;
};

/** Stop scanning after this many entries per shard when a partition filter hides most of them. */
const MAX_SCAN = 5000;
const CHUNK = 200;

function summary(
  envelope: JobEnvelope,
  shard: number,
  state: LiveJobState,
  extra: Partial<JobSummary> = {},
): JobSummary {
  return {
    id: envelope.id,
    name: envelope.name,
    queue: envelope.queue,
    shard,
    state,
    partition: envelope.partition ?? null,
    attempts: envelope.attempts,
    createdAt: envelope.createdAt,
    availableAt: envelope.availableAt,
    lastError: envelope.lastError ?? null,
    entryId: null,
    dueAt: null,
    consumer: null,
    idleMs: null,
    deliveries: null,
    ...extra,
  };
}

function splitDelayed(stored: string): { queue: string; envelope: JobEnvelope | null } {
  const newline = stored.indexOf("\n");
  return { queue: stored.slice(0, newline), envelope: decodeEnvelope(stored.slice(newline + 1)) };
}

/** Reads jobs by state for monitoring: waiting from the stream tail after the group's cursor, in-flight from XPENDING, delayed from the ZSET. */
export class JobReader {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly queues: readonly string[],
    private readonly stallThreshold: (queue: string) => number,
  ) {}

  #keep(envelope: JobEnvelope | null, filter: JobListFilter): envelope is JobEnvelope {
    if (!envelope) return false;
    if (filter.queue !== undefined && envelope.queue !== filter.queue) return false;
    if (filter.partitions && (envelope.partition === undefined || !filter.partitions.includes(envelope.partition))) {
      return false;
    }
    return true;
  }

  async list(filter: JobListFilter): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    const queues = filter.queue ? [filter.queue] : this.queues;
    for (let shard = 0; shard < this.keys.shards && out.length < filter.limit; shard++) {
      if (filter.state === "delayed") await this.#delayed(shard, filter, out);
      else for (const queue of queues) await this.#stream(shard, queue, filter, out);
    }
    return out.slice(0, filter.limit);
  }

  async #stream(shard: number, queue: string, filter: JobListFilter, out: JobSummary[]): Promise<void> {
    const stream = this.keys.shard(shard).stream(queue);
    if (filter.state === "in-flight") {
      for (const entry of await this.pending(queue, shard, MAX_SCAN)) {
        if (out.length >= filter.limit) return;
        if (!entry.jobId) continue;
        const [raw] = toStreamEntries(await this.redis.send("XRANGE", [stream, entry.entryId, entry.entryId]));
        const envelope = decodeEnvelope(raw?.fields[ENVELOPE_FIELD]);
        if (this.#keep(envelope, filter)) {
          out.push(
            summary(envelope, shard, "in-flight", {
              entryId: entry.entryId,
              consumer: entry.consumer,
              idleMs: entry.idleMs,
              deliveries: entry.deliveries,
            }),
          );
        }
      }
      return;
    }
    const group = groupInfo(await this.redis.send("XINFO", ["GROUPS", stream]).catch(noStreamYet), this.keys.group);
    let start = group && group.lastDeliveredId !== "0-0" ? `(${group.lastDeliveredId}` : "-";
    for (let scanned = 0; scanned < MAX_SCAN && out.length < filter.limit; scanned += CHUNK) {
      const entries = toStreamEntries(await this.redis.send("XRANGE", [stream, start, "+", "COUNT", CHUNK]));
      for (const entry of entries) {
        const envelope = decodeEnvelope(entry.fields[ENVELOPE_FIELD]);
        if (this.#keep(envelope, filter) && out.length < filter.limit) {
          out.push(summary(envelope, shard, "waiting", { entryId: entry.id }));
        }
      }
      // The stream tail is reached.
      if (entries.length < CHUNK) return;
      start = `(${entries[entries.length - 1]!.id}`;
    }
  }

  async #delayed(shard: number, filter: JobListFilter, out: JobSummary[]): Promise<void> {
    const k = this.keys.shard(shard);
    for (let offset = 0; offset < MAX_SCAN && out.length < filter.limit; offset += CHUNK) {
      const members = toScoredMembers(
        await this.redis.send("ZRANGE", [k.delayed, "-inf", "+inf", "BYSCORE", "LIMIT", offset, CHUNK, "WITHSCORES"]),
      );
      // No more delayed jobs.
      if (members.length === 0) return;
      const stored = (await this.redis.send("HMGET", [k.delayedJobs, ...members.map(([id]) => id)])) as unknown[];
      members.forEach(([, dueAt], i) => {
        const value = toOptionalString(stored[i]);
        const envelope = value ? splitDelayed(value).envelope : null;
        if (this.#keep(envelope, filter) && out.length < filter.limit) {
          out.push(summary(envelope, shard, "delayed", { dueAt }));
        }
      });
    }
  }

  /** The pending entries list of one queue on one shard (extended XPENDING), with names from the entries. */
  async pending(queue: string, shard: number, limit: number): Promise<PendingEntry[]> {
    const stream = this.keys.shard(shard).stream(queue);
    const rows = pendingRows(
      await this.redis.send("XPENDING", [stream, this.keys.group, "-", "+", limit]).catch(noStreamYet),
    );
    if (rows.length === 0) return [];
    const entries = await this.redis.pipeline(rows.map(([id]) => ["XRANGE", [stream, id, id]] as const));
    const threshold = this.stallThreshold(queue);
    return rows.map(([entryId, consumer, idleMs, deliveries], i) => {
      const [entry] = toStreamEntries(entries[i] instanceof Error ? null : entries[i]);
      const envelope = decodeEnvelope(entry?.fields[ENVELOPE_FIELD]);
      return {
        entryId,
        jobId: envelope?.id ?? null,
        name: envelope?.name ?? null,
        partition: envelope?.partition ?? null,
        queue,
        shard,
        consumer,
        idleMs,
        deliveries,
        stalled: idleMs > threshold,
      };
    });
  }

  /** A live job by id: the index says which stream entry or delayed slot holds it. */
  async get(jobId: string): Promise<JobDetail | null> {
    const locations = await this.redis.pipeline(
      Array.from({ length: this.keys.shards }, (_, shard) => ["HGET", [this.keys.shard(shard).index, jobId]] as const),
    );
    for (let shard = 0; shard < this.keys.shards; shard++) {
      const location = toOptionalString(locations[shard] instanceof Error ? null : locations[shard]);
      if (!location) continue;
      const [kind, queue, entryId] = location.split(" ");
      const k = this.keys.shard(shard);
      if (kind === "d") {
        const [stored, score] = await this.redis.pipeline([
          ["HGET", [k.delayedJobs, jobId]],
          ["ZSCORE", [k.delayed, jobId]],
        ]);
        const value = toOptionalString(stored instanceof Error ? null : stored);
        const envelope = value ? splitDelayed(value).envelope : null;
        if (!envelope) return null;
        return {
          ...summary(envelope, shard, "delayed", { dueAt: Number(score) }),
          payload: envelope.payload,
          envelope,
        };
      }
      if (!queue || !entryId) return null;
      const stream = k.stream(queue);
      const [entryReply, pendingReply] = await this.redis.pipeline([
        ["XRANGE", [stream, entryId, entryId]],
        ["XPENDING", [stream, this.keys.group, entryId, entryId, 1]],
      ]);
      const [entry] = toStreamEntries(entryReply instanceof Error ? null : entryReply);
      const envelope = decodeEnvelope(entry?.fields[ENVELOPE_FIELD]);
      if (!envelope) return null;
      const [row] = pendingRows(pendingReply instanceof Error ? null : pendingReply);
      const extra: Partial<JobSummary> = row
        ? { entryId, consumer: row[1], idleMs: row[2], deliveries: row[3] }
        : { entryId };
      return { ...summary(envelope, shard, row ? "in-flight" : "waiting", extra), payload: envelope.payload, envelope };
    }
    return null;
  }
}
