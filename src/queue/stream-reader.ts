import { toStreamReply } from "../redis/replies";
import { defineScript, type RedisScript, runScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import { decodeEnvelope, ENVELOPE_FIELD } from "./envelope";
import type { ShardKeys } from "./keys";
import readInOrderSource from "./lua/read-in-order-n.lua" with { type: "text" };
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

/** read-in-order-n, registered once per number of streams read. */
const readInOrder = new Map<number, RedisScript>();
function readInOrderFor(streams: number): RedisScript {
  let script = readInOrder.get(streams);
  if (!script) {
    script = defineScript(`queue:read-in-order:v1:${streams}`, streams, readInOrderSource);
    readInOrder.set(streams, script);
  }
  return script;
}

/**
 * Reads one shard's streams for one consumer on its own (blocking-capable) connection. While
 * busy it reads every queue in one round trip (read-in-order-n: queue by queue in order, a
 * lower queue only for the room the higher ones left in the batch); when idle, or when that
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

  /** Up to `count` entries; blocks up to `blockMs` only when `idle` or nothing was waiting. */
  async read(queues: readonly string[], count: number, idle: boolean, blockMs: number): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    if (!idle) {
      deliveries.push(...(await this.readWaiting(queues, count)));
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

  /** Up to `count` entries already waiting, in queue order, without blocking (safe over REST). */
  async readWaiting(queues: readonly string[], count: number): Promise<Delivery[]> {
    const streams = queues.map((q) => this.keys.stream(q));
    const reply =
      streams.length === 1
        ? await this.connection.send("XREADGROUP", [
            "GROUP",
            this.group,
            this.consumer,
            "COUNT",
            count,
            "STREAMS",
            streams[0]!,
            ">",
          ])
        : await runScript(this.connection, readInOrderFor(streams.length), streams, [this.group, this.consumer, count]);
    const deliveries: Delivery[] = [];
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
