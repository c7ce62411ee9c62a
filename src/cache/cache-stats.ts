import { parseInfo, toNumber, toRecord } from "../redis/replies";
import { type BookkeepingKeys, type CacheFamily, cacheFamilies, cacheTtlSeconds } from "./cache-keys";
import type { RedisGuard } from "./redis-guard";

export type CacheOutcome = "hits" | "misses" | "fallbacks";

export type FamilyStats = {
  family: CacheFamily;
  ttlSeconds: number;
  hits: number;
  misses: number;
  /** Reads served straight from the database because Redis was unavailable. */
  fallbacks: number;
  /** hits / (hits + misses); null before the first read. */
  hitRate: number | null;
  /** Stored entries not yet expired (superseded ones included until recomputed or expired). */
  keys: number;
};

export type CacheStats = {
  families: FamilyStats[];
  totals: { hits: number; misses: number; fallbacks: number; hitRate: number | null; keys: number };
  redis: { available: boolean; usedMemoryBytes: number | null; usedMemoryHuman: string | null; failures: number };
};

const FLUSH_EVERY_MS = 1000;

const rate = (hits: number, misses: number) => (hits + misses === 0 ? null : hits / (hits + misses));

/**
 * Hit/miss counters. Counted in process and added to a Redis hash at most
 * once a second (and before every stats read), so a hit costs no extra Redis
 * command while the numbers still add up across instances.
 */
export class CacheCounters {
  readonly #pending = new Map<string, number>();
  readonly #redis: RedisGuard;
  readonly #keys: BookkeepingKeys;
  #lastFlush = Date.now();

  constructor(redis: RedisGuard, keys: BookkeepingKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  count(family: CacheFamily, outcome: CacheOutcome): void {
    const field = `${family}:${outcome}`;
    this.#pending.set(field, (this.#pending.get(field) ?? 0) + 1);
    if (Date.now() - this.#lastFlush >= FLUSH_EVERY_MS) void this.flush().catch(() => {});
  }

  /** Adds the pending counts to Redis; on failure they stay pending for the next flush. */
  async flush(): Promise<void> {
    this.#lastFlush = Date.now();
    if (this.#pending.size === 0 || !this.#redis.available) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    try {
      await this.#redis.pipeline(batch.map(([field, n]) => ["HINCRBY", [this.#keys.stats, field, n]] as const));
    } catch (error) {
      for (const [field, n] of batch) this.#pending.set(field, (this.#pending.get(field) ?? 0) + n);
      throw error;
    }
  }

  /** Everything the stats route shows: counters, key counts per family and Redis memory. */
  async read(): Promise<CacheStats> {
    await this.flush().catch(() => {});
    const now = Date.now();
    const replies = await this.#redis.pipeline([
      ["HGETALL", [this.#keys.stats]],
      ["INFO", ["memory"]],
      ...cacheFamilies.map((f) => ["ZCOUNT", [this.#keys.familyIndex(f), now, "+inf"]] as const),
    ]);
    const counters = toRecord(replies[0]);
    const info = parseInfo(replies[1]);
    const families = cacheFamilies.map((family, i): FamilyStats => {
      const hits = toNumber(counters[`${family}:hits`]);
      const misses = toNumber(counters[`${family}:misses`]);
      const fallbacks = toNumber(counters[`${family}:fallbacks`]);
      const keys = toNumber(replies[2 + i]);
      return {
        family,
        ttlSeconds: cacheTtlSeconds[family],
        hits,
        misses,
        fallbacks,
        hitRate: rate(hits, misses),
        keys,
      };
    });
    const sum = (pick: (f: FamilyStats) => number) => families.reduce((n, f) => n + pick(f), 0);
    const hits = sum((f) => f.hits);
    const misses = sum((f) => f.misses);
    return {
      families,
      totals: {
        hits,
        misses,
        fallbacks: sum((f) => f.fallbacks),
        hitRate: rate(hits, misses),
        keys: sum((f) => f.keys),
      },
      redis: {
        available: true,
        usedMemoryBytes: info.used_memory === undefined ? null : Number(info.used_memory),
        usedMemoryHuman: info.used_memory_human ?? null,
        failures: this.#redis.failures,
      },
    };
  }
}
