import type { RedisConnection } from "../redis/types";
import { BATCH_KEEP_SECONDS } from "./batches";
import type { Clock } from "./clock";
import type { QueueKeys } from "./keys";
import type { QueueLogger } from "./logger";
import type { QueueScripts } from "./scripts";

/** Rounds per shard in one settlement; a batch still busy after them is left for the next. */
const MAX_ROUNDS = 5;

/**
 * Carries news from a shard's batch parts to their batches' home shards. The acking scripts put
 * a batch id in the shard's outbox when its part completes or first fails; this reads the part,
 * settles it on the home shard (which fires callbacks once) and only then takes it out of the
 * outbox. A worker that dies in between leaves the id there for the next settlement, by any worker.
 */
export class BatchSettler {
  readonly #requested = new Set<number>();
  #running: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly scripts: QueueScripts,
    private readonly clock: Clock,
    private readonly log: QueueLogger,
  ) {}

  /** Settles this shard's outbox soon; requests made while one runs join the next round. */
  request(shard: number): void {
    this.#requested.add(shard);
    this.#running ??= this.#drain();
  }

  /** Resolves once every requested settlement ran. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#requested.size > 0) {
      const shards = [...this.#requested];
      this.#requested.clear();
      await Promise.all(
        shards.map((shard) =>
          this.settleShard(shard).catch((error: unknown) => {
            // The ids stay in the outbox; the periodic settlement tries again.
            this.log.warn("batch settlement failed", { shard, error: (error as Error).message });
          }),
        ),
      );
    }
    this.#running = null;
  }

  /** Settles every batch in the shard's outbox; returns how many were taken out. */
  async settleShard(shard: number): Promise<number> {
    const keys = this.keys.shard(shard);
    let done = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const reply = await this.redis.send("SMEMBERS", [keys.batchOutbox]);
      const ids = Array.isArray(reply) ? reply.map(String) : [];
      // The outbox is empty: nothing left to report.
      if (ids.length === 0) break;
      let left = 0;
      for (const id of ids) {
        const counts = await this.redis.send("HMGET", [keys.batchPart(id), "processed", "failed", "skipped"]);
        const [processed = 0, failed = 0, skipped = 0] = (Array.isArray(counts) ? counts : []).map((v) =>
          Number(v ?? 0),
        );
        const home = this.keys.shard(this.keys.batchHome(id));
        const settled = await this.scripts.settleBatch(
          home,
          id,
          shard,
          { processed, failed, skipped },
          this.clock.now(),
          BATCH_KEEP_SECONDS,
        );
        if (settled?.fired.length) this.log.info("batch callbacks dispatched", { batchId: id, fired: settled.fired });
        if (await this.scripts.batchReported(keys, id, processed + failed + skipped)) done += 1;
        else left += 1;
      }
      // Everything read was reported as it stands.
      if (left === 0) break;
    }
    return done;
  }
}
