import { toStreamReply } from "../redis/replies";
import { defineScript, type RedisScript, runScript } from "../redis/script";
import type { RedisArg, RedisConnection } from "../redis/types";
import type { PendingAcks } from "./ack-batcher";
import { decodeEnvelope, ENVELOPE_FIELD } from "./envelope";
import type { ShardKeys } from "./keys";
import ackAndReadSource from "./lua/ack-and-read-n.lua" with { type: "text" };
import type { Delivery } from "./stall-recovery";
import type { WorkerMode } from "./worker-options";

/** The order to try a shard's readable queues: priority order, or one drawn by weight first. */
export function readOrder(
  queues: readonly string[],
  mode: WorkerMode,
  weights: Readonly<Record<string, number>>,
  random: () => number = Math.random,
): string[] {
  if (mode === "strict" || queues.length < 2) return [...queues];
  const total = queues.reduce((sum, q) => sum + (weights[q] ?? 1), 0);
  let pick = random() * total;
  let first = queues[0]!;
  for (const q of queues) {
    pick -= weights[q] ?? 1;
    if (pick < 0) {
      first = q;
      break;
    }
  }
  return [first, ...queues.filter((q) => q !== first)];
}

/** ack-and-read-n, registered once per number of keys. */
const ackAndRead = new Map<number, RedisScript>();
function ackAndReadFor(keys: number): RedisScript {
  let script = ackAndRead.get(keys);
  if (!script) {
    script = defineScript(`queue:ack-and-read:v1:${keys}`, keys, ackAndReadSource);
    ackAndRead.set(keys, script);
  }
  return script;
}

/**
 * Reads one shard's streams for one consumer on its own (blocking-capable) connection. While
 * busy it reads every queue in one round trip (ack-and-read-n: queue by queue in order, a
 * lower queue only for the room the higher ones left in the batch), sending the acks of the
 * jobs that finished since the last read in the same round trip; when idle, or when that
 * found nothing, it blocks on all of them at once.
 */
export class StreamReader {
  readonly #streamQueue: Map<string, string>;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ShardKeys,
    private readonly group: string,
    private readonly consumer: string,
    queues: readonly string[],
  ) {
    this.#streamQueue = new Map(queues.map((q) => [keys.stream(q), q]));
  }

  /**
   * Up to `count` entries; blocks up to `blockMs` only when `idle` or nothing was waiting. `acks`
   * (this shard's finished jobs) go with the first, non-blocking read, so they may only be
   * given when not `idle`; when the read fails they may or may not have been applied.
   */
  async read(
    queues: readonly string[],
    count: number,
    idle: boolean,
    blockMs: number,
    acks: readonly PendingAcks[] = [],
  ): Promise<Delivery[]> {
    if (idle && acks.length > 0) throw new Error("acks go with a non-blocking read");
    const deliveries: Delivery[] = [];
    if (!idle) {
      deliveries.push(...(await this.readWaiting(queues, count, acks)));
      if (deliveries.length > 0) return deliveries;
    }
    const reply = await this.connection.send("XREADGROUP", [
      "GROUP",
      this.group,
      this.consumer,
      "COUNT",
      count,
      "BLOCK",
      blockMs,
      "STREAMS",
      ...queues.map((q) => this.keys.stream(q)),
      ...queues.map(() => ">"),
    ]);
    this.#collect(reply, deliveries);
    return deliveries;
  }

  /**
   * Up to `count` entries already waiting, in queue order, without blocking (safe over REST), with
   * `acks` sent in the same round trip.
   */
  async readWaiting(queues: readonly string[], count: number, acks: readonly PendingAcks[] = []): Promise<Delivery[]> {
    const reply =
      queues.length === 1 && acks.length === 0
        ? await this.connection.send("XREADGROUP", [
            "GROUP",
            this.group,
            this.consumer,
            "COUNT",
            count,
            "STREAMS",
            this.keys.stream(queues[0]!),
            ">",
          ])
        : await this.#ackAndRead(queues, count, acks);
    const deliveries: Delivery[] = [];
    this.#collect(reply, deliveries);
    return deliveries;
  }

  close(): void {
    this.connection.close();
  }

  #ackAndRead(queues: readonly string[], count: number, acks: readonly PendingAcks[]): Promise<unknown> {
    const k = this.keys;
    const keys = [k.index, k.unique, k.uniqueOwners, ...queues.map((q) => k.stream(q))];
    const args: RedisArg[] = [this.group, this.consumer, count, queues.length];
    for (const { queue, items } of acks) {
      const stream = k.stream(queue);
      let at = keys.indexOf(stream, 3);
      if (at < 0) at = keys.push(stream) - 1;
      // Lua's KEYS is 1-based.
      for (const item of items) args.push(at + 1, item.entryId, item.jobId, item.uniqueKey ?? "");
    }
    return runScript(this.connection, ackAndReadFor(keys.length), keys, args);
  }

  #collect(reply: unknown, into: Delivery[]): void {
    for (const [stream, entries] of toStreamReply(reply)) {
      const queue = this.#streamQueue.get(stream);
      if (!queue) continue;
      for (const entry of entries) {
        into.push({
          shard: this.keys.shard,
          queue,
          entryId: entry.id,
          envelope: decodeEnvelope(entry.fields[ENVELOPE_FIELD]),
          deliveries: 1,
        });
      }
    }
  }
}
