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
    script = defineScript(`queue:ack-and-read:v3:${keys}`, keys, ackAndReadSource);
    ackAndRead.set(keys, script);
  }
  return script;
}

function asString(value: unknown): string {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Reads one shard's streams for one consumer on its own (blocking-capable) connection. Every
 * read that takes entries is one ack-and-read-n call: queue by queue in priority order, a lower
 * queue only for the room the higher ones left, paused queues skipped in the same atomic step,
 * with the acks of the jobs that finished since the last read. When that finds nothing it waits
 * with a non-consuming `XREAD BLOCK` on the open queues' streams from their group's last-delivered
 * id, and takes what woke it through the script again, so a queue paused while it waited is
 * never read. Every script reply reports the shard's paused queues to `onPaused`.
 */
export class StreamReader {
  readonly #streamQueue: Map<string, string>;
  /** Queue → the group's last-delivered id, from the last read that found nothing; empty after one that did. */
  #since = new Map<string, string>();
  /** True while a blocking XREAD is under way on the connection. */
  blocking = false;
  /** The script's keys and leading arguments per order of queues read, built once per order. */
  readonly #calls = new Map<string, { keys: string[]; args: RedisArg[] }>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ShardKeys,
    private readonly group: string,
    private readonly consumer: string,
    queues: readonly string[],
    private readonly onPaused: (paused: readonly string[]) => void = () => undefined,
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
    // An idle reader waits from where the last empty read left each queue; one it has no mark
    // for (just resumed, say) is read first.
    if (!idle || queues.some((q) => !this.#since.has(q))) {
      const waiting = await this.#take(queues, count, acks, true);
      if (waiting.length > 0) return waiting;
    }
    const open = queues.filter((q) => this.#since.has(q));
    // Every queue was paused when the script looked: nothing to wait on.
    if (open.length === 0) return [];
    this.blocking = true;
    let woken: unknown;
    try {
      woken = await this.connection.send("XREAD", [
        "COUNT",
        1,
        "BLOCK",
        blockMs,
        "STREAMS",
        ...open.map((q) => this.keys.stream(q)),
        ...open.map((q) => this.#since.get(q)!),
      ]);
    } finally {
      this.blocking = false;
    }
    // Timed out: nothing new arrived.
    if (toStreamReply(woken).size === 0) return [];
    return this.#take(queues, count, [], true);
  }

  /**
   * Up to `count` entries already waiting, in queue order, skipping paused queues, without
   * blocking (safe over REST), with `acks` sent in the same round trip.
   */
  readWaiting(queues: readonly string[], count: number, acks: readonly PendingAcks[] = []): Promise<Delivery[]> {
    return this.#take(queues, count, acks, false);
  }

  close(): void {
    this.connection.close();
  }

  async #take(
    queues: readonly string[],
    count: number,
    acks: readonly PendingAcks[],
    markWhenEmpty: boolean,
  ): Promise<Delivery[]> {
    const k = this.keys;
    const order = queues.length === 1 ? queues[0]! : queues.join(",");
    let call = this.#calls.get(order);
    if (!call) {
      call = {
        keys: [k.index, k.unique, k.uniqueOwners, k.paused, ...queues.map((q) => k.stream(q))],
        args: [this.group, this.consumer, 0, queues.length, 0, ...queues],
      };
      this.#calls.set(order, call);
    }
    // Acks may name streams beyond the ones read: those keys are added to a copy.
    let keys = call.keys;
    const args = call.args.slice();
    args[2] = count;
    args[4] = markWhenEmpty ? 1 : 0;
    // The acks by stream: its key's index, n, n entry ids, n job ids; then the unique locks to release.
    args.push(acks.length);
    const unique: RedisArg[] = [];
    for (const { queue, items } of acks) {
      const stream = k.stream(queue);
      let at = keys.indexOf(stream, 4);
      if (at < 0) {
        if (keys === call.keys) keys = keys.slice();
        at = keys.push(stream) - 1;
      }
      // Lua's KEYS is 1-based.
      args.push(at + 1, items.length);
      for (const item of items) args.push(item.entryId);
      for (const item of items) {
        args.push(item.jobId);
        if (item.uniqueKey) unique.push(item.jobId, item.uniqueKey);
      }
    }
    for (const arg of unique) args.push(arg);
    const [paused, since, read] = asList(await runScript(this.connection, ackAndReadFor(keys.length), keys, args));
    this.onPaused(asList(paused).map(asString));
    // Only the reads that may block keep the marks (a second lane's reads leave them alone).
    if (markWhenEmpty) {
      const marks = asList(since);
      if (marks.length > 0 || this.#since.size > 0) this.#since = new Map();
      for (let i = 0; i + 1 < marks.length; i += 2) this.#since.set(asString(marks[i]), asString(marks[i + 1]));
    }
    const deliveries: Delivery[] = [];
    this.#collect(read, deliveries);
    return deliveries;
  }

  /** The script's read, `{ { stream, { { id, { field, value, ... } }, ... } }, ... }`, as deliveries. */
  #collect(reply: unknown, into: Delivery[]): void {
    for (const pair of asList(reply)) {
      if (!Array.isArray(pair)) continue;
      const queue = this.#streamQueue.get(asString(pair[0]));
      if (!queue) continue;
      for (const raw of asList(pair[1])) {
        // A deleted entry still in the PEL comes back with nil fields.
        if (!Array.isArray(raw)) continue;
        const fields = asList(raw[1]);
        let json: string | undefined;
        for (let i = 0; i + 1 < fields.length; i += 2) {
          if (asString(fields[i]) === ENVELOPE_FIELD) {
            json = asString(fields[i + 1]);
            break;
          }
        }
        into.push({
          shard: this.keys.shard,
          queue,
          entryId: asString(raw[0]),
          envelope: decodeEnvelope(json),
          deliveries: 1,
        });
      }
    }
  }
}
