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
    script = defineScript(`queue:read-in-order:v2:${streams}`, streams + 1, readInOrderSource);
    readInOrder.set(streams, script);
  }
  return script;
}

/** What one read found, and the shard's paused queues as of that read. */
export type ReadResult = { deliveries: Delivery[]; paused: Set<string> };

/**
 * Reads one shard's streams for one consumer on its own (blocking-capable) connection. Every
 * read is read-in-order-n: queue by queue in order, a lower queue only for the room the higher
 * ones left, skipping paused queues in the same atomic step. When that finds nothing it waits
 * (XREAD BLOCK, which takes nothing) for a new entry on an unpaused stream, then reads again.
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

  /** Up to `count` entries of unpaused queues; waits up to `blockMs` when there are none. */
  async read(queues: readonly string[], count: number, blockMs: number): Promise<ReadResult> {
    const first = await this.#take(queues, count);
    if (first.result.deliveries.length > 0 || blockMs <= 0) return first.result;
    const waitOn = queues
      .map((queue, i) => ({ stream: this.keys.stream(queue), id: first.lastDelivered[i] ?? "" }))
      .filter((s) => s.id !== "");
    // Every queue is paused: nothing to wait for here; the caller sleeps.
    if (waitOn.length === 0) return first.result;
    await this.connection.send("XREAD", [
      "BLOCK",
      blockMs,
      "STREAMS",
      ...waitOn.map((s) => s.stream),
      ...waitOn.map((s) => s.id),
    ]);
    return (await this.#take(queues, count)).result;
  }

  close(): void {
    this.connection.close();
  }

  async #take(queues: readonly string[], count: number): Promise<{ result: ReadResult; lastDelivered: string[] }> {
    const reply = (await runScript(
      this.connection,
      readInOrderFor(queues.length),
      [this.keys.paused, ...queues.map((q) => this.keys.stream(q))],
      [this.group, this.consumer, count, ...queues],
    )) as [unknown, unknown, unknown];
    const [paused, entries, lastDelivered] = reply;
    const deliveries: Delivery[] = [];
    this.#collect(entries, deliveries);
    return {
      result: { deliveries, paused: new Set(Array.isArray(paused) ? paused.map(String) : []) },
      lastDelivered: Array.isArray(lastDelivered) ? lastDelivered.map(String) : [],
    };
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
