import type { QueueKeys } from "./keys";
import type { QueueLogger } from "./logger";
import type { AckItem, QueueScripts } from "./scripts";

/** Finished jobs of one stream, waiting to be acknowledged. */
export type PendingAcks = { shard: number; queue: string; items: AckItem[] };

/**
 * Group commit for successful jobs: acks pile up while one batch is in flight and go out as one
 * script call per stream, so a busy worker pays a round trip per batch instead of per job. A
 * shard's reader may take them first and send them with its next read (ack-and-read-n), so a
 * worker that runs one job at a time pays one round trip per job, not two.
 */
export class AckBatcher {
  #pending = new Map<string, PendingAcks>();
  #running: Promise<void> | null = null;
  /** Shards whose reader waits to send its next read and takes the acks added meanwhile. */
  readonly #heldFor = new Set<number>();

  constructor(
    private readonly scripts: QueueScripts,
    private readonly keys: QueueKeys,
    private readonly group: string,
    private readonly log: QueueLogger,
    /** Called after a shard's acks that counted jobs of a batch: its outbox may have news. */
    private readonly onBatchNews: (shard: number) => void = () => undefined,
  ) {}

  add(shard: number, queue: string, item: AckItem): void {
    const id = `${shard} ${queue}`;
    let batch = this.#pending.get(id);
    if (!batch) {
      batch = { shard, queue, items: [] };
      this.#pending.set(id, batch);
    }
    batch.items.push(item);
    // A reader about to read takes it: no separate ack call (nor the tick it waits for) is scheduled.
    if (!this.#heldFor.has(shard) || item.batchId) this.#running ??= this.#drain();
  }

  /** The shard's reader is waiting to read and will take the shard's acks with its read. */
  holdFor(shard: number): void {
    this.#heldFor.add(shard);
  }

  /**
   * The shard's reader stopped waiting: it takes the acks now (`send` false), or it will not read
   * soon (`send` true) and they go out on their own.
   */
  release(shard: number, send: boolean): void {
    if (!this.#heldFor.delete(shard)) return;
    if (send && this.#pending.size > 0) this.#running ??= this.#drain();
  }

  /**
   * Takes the shard's acks not yet sent: the caller sends them, or hands them back with `restore`.
   * Jobs of a job batch stay here: only ack-jobs-5 counts them in their batch's part.
   */
  take(shard: number): PendingAcks[] {
    const taken: PendingAcks[] = [];
    for (const [id, batch] of this.#pending) {
      if (batch.shard !== shard) continue;
      const plain = batch.items.filter((item) => !item.batchId);
      if (plain.length === 0) continue;
      taken.push({ ...batch, items: plain });
      if (plain.length === batch.items.length) this.#pending.delete(id);
      else batch.items = batch.items.filter((item) => item.batchId);
    }
    return taken;
  }

  /** Hands back acks a reader took and could not send (acking twice is harmless). */
  restore(batches: readonly PendingAcks[]): void {
    for (const { shard, queue, items } of batches) {
      for (const item of items) this.add(shard, queue, item);
    }
  }

  /** Resolves once every ack added so far has been sent. */
  async flush(): Promise<void> {
    this.#heldFor.clear();
    while (this.#running || this.#pending.size > 0) {
      this.#running ??= this.#drain();
      await this.#running;
    }
  }

  async #drain(): Promise<void> {
    // Let the current burst of finishing handlers join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#pending.size > 0) {
      const batches = [...this.#pending.values()];
      this.#pending = new Map();
      await Promise.all(
        batches.map(async ({ shard, queue, items }) => {
          try {
            await this.scripts.ackJobs(this.keys.shard(shard), queue, this.group, items);
            if (items.some((item) => item.batchId)) this.onBatchNews(shard);
          } catch (error) {
            // The entries stay pending and are redelivered after the stall threshold: at-least-once.
            this.log.error("ack failed", { queue, shard, jobs: items.length, error: (error as Error).message });
          }
        }),
      );
    }
    this.#running = null;
  }
}
