import type { RedisConnection } from "../redis/types";
import { decodeEnvelope, ENVELOPE_FIELD, type JobEnvelope } from "./envelope";
import type { QueueKeys } from "./keys";
import { pendingRows } from "./pending-rows";
import type { QueueScripts } from "./scripts";
import { listWorkers } from "./worker-registry";

/** An entry handed to this worker, by a read or a reclaim. */
export type Delivery = {
  shard: number;
  queue: string;
  entryId: string;
  envelope: JobEnvelope | null;
  /** Times the entry has been delivered, counting this one (known for reclaimed entries). */
  deliveries: number;
};

/**
 * Takes over entries other consumers cannot finish: entries idle past the stall threshold
 * (XAUTOCLAIM) and entries of workers reported dead or stopped (XPENDING per consumer, XCLAIM).
 * Both claims are scripts that check the shard's paused set first: a paused queue's entries wait
 * for its resume instead of being handed out.
 */
export class StallRecovery {
  constructor(
    private readonly redis: RedisConnection,
    private readonly scripts: QueueScripts,
    private readonly keys: QueueKeys,
    private readonly consumer: string,
  ) {}

  /**
   * One recovery pass over every shard and queue, taking at most `room` entries: first those of
   * dead workers (idle past the dead threshold), then those of stopped workers, then any entry
   * idle past its queue's stall threshold.
   */
  async sweep(options: {
    shards: number;
    queues: readonly string[];
    now: number;
    deadAfterMs: number;
    stalledAfterMs: (queue: string) => number;
    room: number;
  }): Promise<{ claimed: Delivery[]; deadWorkers: string[] }> {
    const workers = await listWorkers(this.redis, this.keys, { now: options.now, deadAfterMs: options.deadAfterMs });
    const others = workers.filter((w) => w.id !== this.consumer);
    const stopped = others.filter((w) => w.state === "stopped").map((w) => w.id);
    const dead = others.filter((w) => w.dead).map((w) => w.id);
    const claimed: Delivery[] = [];
    const room = () => options.room - claimed.length;
    for (let shard = 0; shard < options.shards; shard++) {
      for (const queue of options.queues) {
        if (dead.length > 0 && room() > 0) {
          claimed.push(...(await this.claimFromConsumers(shard, queue, dead, options.deadAfterMs, room())));
        }
        // A stopped worker left these on purpose (drain timeout); a second is enough to be sure it is gone.
        if (stopped.length > 0 && room() > 0) {
          claimed.push(...(await this.claimFromConsumers(shard, queue, stopped, 1000, room())));
        }
        if (room() > 0) claimed.push(...(await this.claimStalled(shard, queue, options.stalledAfterMs(queue), room())));
      }
    }
    return { claimed, deadWorkers: dead };
  }

  /** Claims up to `max` entries idle for at least `minIdleMs`, with their delivery counts. */
  async claimStalled(shard: number, queue: string, minIdleMs: number, max: number): Promise<Delivery[]> {
    if (max <= 0) return [];
    const keys = this.keys.shard(shard);
    const claimed = await this.scripts.claimStalled(keys, queue, this.keys.group, this.consumer, minIdleMs, max);
    return claimed.map((e) => ({
      shard,
      queue,
      entryId: e.id,
      envelope: decodeEnvelope(e.fields[ENVELOPE_FIELD]),
      deliveries: e.deliveries,
    }));
  }

  /**
   * Claims up to `max` entries held by these (dead or stopped) consumers once idle for
   * `minIdleMs`, and removes consumers that hold nothing any more.
   */
  async claimFromConsumers(
    shard: number,
    queue: string,
    consumers: readonly string[],
    minIdleMs: number,
    max: number,
  ): Promise<Delivery[]> {
    const stream = this.keys.shard(shard).stream(queue);
    const group = this.keys.group;
    const out: Delivery[] = [];
    for (const consumer of consumers) {
      if (out.length >= max) break;
      const rows = pendingRows(
        await this.redis.send("XPENDING", [stream, group, "IDLE", minIdleMs, "-", "+", max - out.length, consumer]),
      );
      if (rows.length === 0) {
        const left = pendingRows(await this.redis.send("XPENDING", [stream, group, "-", "+", 1, consumer]));
        if (left.length === 0) await this.redis.send("XGROUP", ["DELCONSUMER", stream, group, consumer]);
        continue;
      }
      const counts = new Map(rows.map((r) => [r[0], r[3]]));
      const claimed = await this.scripts.claimEntries(
        this.keys.shard(shard),
        queue,
        group,
        this.consumer,
        minIdleMs,
        rows.map((r) => r[0]),
      );
      for (const e of claimed) {
        out.push({
          shard,
          queue,
          entryId: e.id,
          envelope: decodeEnvelope(e.fields[ENVELOPE_FIELD]),
          deliveries: (counts.get(e.id) ?? 0) + 1,
        });
      }
    }
    return out;
  }

  /**
   * Removes a consumer from every group once it holds no pending entries, so groups do not grow
   * with every worker restart. A consumer with pending entries stays: deleting it would orphan them.
   */
  async removeConsumer(consumer: string, shards: number, queues: readonly string[]): Promise<void> {
    for (let shard = 0; shard < shards; shard++) {
      for (const queue of queues) {
        const stream = this.keys.shard(shard).stream(queue);
        const left = await this.redis.send("XPENDING", [stream, this.keys.group, "-", "+", 1, consumer]);
        if (Array.isArray(left) && left.length === 0) {
          await this.redis.send("XGROUP", ["DELCONSUMER", stream, this.keys.group, consumer]);
        }
      }
    }
  }
}
