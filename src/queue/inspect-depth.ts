import { toNumber, toRecord, toStreamEntries } from "../redis/replies";
import type { RedisCommand, RedisConnection } from "../redis/types";
import type { QueueKeys } from "./keys";

/** How many jobs of one queue sit where, on one shard. */
export type ShardDepth = {
  shard: number;
  /** In the stream, not yet delivered to any worker. */
  waiting: number;
  /** Delivered and not yet acked (the pending entries list). */
  inFlight: number;
  delayed: number;
  /** Age of the oldest undelivered entry (ms), null when none waits. */
  oldestWaitingMs: number | null;
  paused: boolean;
};

/** Entry ids start with their creation time in ms. */
export function entryTime(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf("-")));
}

/** XINFO GROUPS → pending count and last delivered id of our group (none when it does not exist yet). */
export function groupInfo(reply: unknown, group: string): { pending: number; lastDeliveredId: string } | null {
  if (!Array.isArray(reply)) return null;
  for (const raw of reply) {
    const info = toRecord(raw);
    if (info.name === group)
      return { pending: Number(info.pending ?? 0), lastDeliveredId: info["last-delivered-id"] ?? "0-0" };
  }
  return null;
}

/**
 * Depth of every queue on every shard in two pipelined round trips. Acked entries are deleted,
 * so a stream holds exactly the waiting and in-flight jobs: waiting = length - pending.
 */
export async function readDepths(
  redis: RedisConnection,
  keys: QueueKeys,
  queues: readonly string[],
  now: number,
): Promise<Map<string, ShardDepth[]>> {
  const cells: Array<{ queue: string; shard: number }> = [];
  const commands: RedisCommand[] = [];
  for (const queue of queues) {
    for (let shard = 0; shard < keys.shards; shard++) {
      const k = keys.shard(shard);
      cells.push({ queue, shard });
      commands.push(
        ["XLEN", [k.stream(queue)]],
        ["XINFO", ["GROUPS", k.stream(queue)]],
        ["HGET", [k.counts, `delayed:${queue}`]],
        ["SISMEMBER", [k.paused, queue]],
      );
    }
  }
  const replies = await redis.pipeline(commands);
  const partial = cells.map((cell, i) => {
    const [length, groups, delayed, paused] = replies.slice(i * 4, i * 4 + 4);
    const group = groups instanceof Error ? null : groupInfo(groups, keys.group);
    const total = length instanceof Error ? 0 : toNumber(length);
    const inFlight = group?.pending ?? 0;
    return {
      ...cell,
      waiting: Math.max(0, total - inFlight),
      inFlight,
      delayed: delayed instanceof Error ? 0 : toNumber(delayed),
      paused: toNumber(paused) === 1,
      lastDeliveredId: group?.lastDeliveredId ?? "0-0",
    };
  });
  const oldest = await redis.pipeline(
    partial.map((p) => [
      "XRANGE",
      [
        keys.shard(p.shard).stream(p.queue),
        p.lastDeliveredId === "0-0" ? "-" : `(${p.lastDeliveredId}`,
        "+",
        "COUNT",
        1,
      ],
    ]),
  );
  const out = new Map<string, ShardDepth[]>(queues.map((q) => [q, []]));
  partial.forEach((p, i) => {
    const [first] = toStreamEntries(oldest[i] instanceof Error ? null : oldest[i]);
    out.get(p.queue)!.push({
      shard: p.shard,
      waiting: p.waiting,
      inFlight: p.inFlight,
      delayed: p.delayed,
      paused: p.paused,
      oldestWaitingMs: first && p.waiting > 0 ? Math.max(0, now - entryTime(first.id)) : null,
    });
  });
  return out;
}
