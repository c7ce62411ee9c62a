import type { QueueKeys } from "./keys";
import type { QueueLogger } from "./logger";
import type { AckItem, QueueScripts } from "./scripts";

/**
 * Group commit for successful jobs: acks pile up while one batch is in flight and go out as one
 * script call per stream, so a busy worker pays a round trip per batch instead of per job.
 */
export class AckBatcher {
  #pending = new Map<string, { shard: number; queue: string; items: AckItem[] }>();
  #running: Promise<void> | null = null;

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
    this.#running ??= this.#drain();
  }

  /** Resolves once every ack added so far has been sent. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
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
