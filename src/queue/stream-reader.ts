import { toStreamReply } from "../redis/replies";
import type { RedisConnection } from "../redis/types";
import { decodeEnvelope, ENVELOPE_FIELD } from "./envelope";
import type { ShardKeys } from "./keys";
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

/**
 * Reads one shard's streams for one consumer on its own (blocking-capable) connection. While
 * busy it reads queue by queue in order, so a lower queue is only read when the higher ones
 * could not fill the batch; when idle it blocks on all of them at once.
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

  /** Up to `count` entries; blocks up to `blockMs` only when `idle` or nothing was waiting. */
  async read(queues: readonly string[], count: number, idle: boolean, blockMs: number): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    if (!idle) {
      for (const queue of queues) {
        const reply = await this.connection.send("XREADGROUP", [
          "GROUP",
          this.group,
          this.consumer,
          "COUNT",
          count - deliveries.length,
          "STREAMS",
          this.keys.stream(queue),
          ">",
        ]);
        this.#collect(reply, deliveries);
        // The batch is full; lower queues wait for the next read.
        if (deliveries.length >= count) return deliveries;
      }
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

  close(): void {
    this.connection.close();
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
