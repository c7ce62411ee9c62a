import { parseInfo, toNumber, toRecord } from "../redis/replies";
import { type BookkeepingKeys, type CacheEntry, type CacheFamily, cacheFamilies, cacheTtlSeconds } from "./cache-keys";
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
  /** Whose entries these are: the whole cache (admins), or these restaurants' only. */
  scope: "all" | number[];
  families: FamilyStats[];
  totals: { hits: number; misses: number; fallbacks: number; hitRate: number | null; keys: number };
  redis: { available: boolean; usedMemoryBytes: number | null; usedMemoryHuman: string | null; failures: number };
};

const FLUSH_EVERY_MS = 1000;

/** `{family}:{outcome}`, the counter fields, built once. */
const FIELDS = Object.fromEntries(
  cacheFamilies.map((family) => [
    family,
    { hits: `${family}:hits`, misses: `${family}:misses`, fallbacks: `${family}:fallbacks` },
  ]),
) as Record<CacheFamily, Record<CacheOutcome, string>>;

const rate = (hits: number, misses: number) => (hits + misses === 0 ? null : hits / (hits + misses));

/**
 * Hit/miss counters. Counted in process and added to a Redis hash at most
 * once a second (and before every stats read), so a hit costs no extra Redis
 * command while the numbers still add up across instances. Each count goes to
 * the cache-wide hash and to its restaurant's, so an owner's statistics are
 * their restaurants' alone.
 */
export class CacheCounters {
  /** Pending increments by hash key, then field. */
  readonly #pending = new Map<string, Map<string, number>>();
  readonly #redis: RedisGuard;
  readonly #keys: BookkeepingKeys;
  readonly #restaurantHashes = new Map<number, string>();
  #lastFlush = Date.now();

  constructor(redis: RedisGuard, keys: BookkeepingKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  count(entry: Pick<CacheEntry, "family" | "restaurantId">, outcome: CacheOutcome): void {
    // Counted on every hit: the field and the restaurant's hash name are not rebuilt each time.
    const field = FIELDS[entry.family][outcome];
    this.#add(this.#keys.stats, field, 1);
    let hash = this.#restaurantHashes.get(entry.restaurantId);
    if (hash === undefined) {
      if (this.#restaurantHashes.size >= 10_000) this.#restaurantHashes.clear();
      hash = this.#keys.restaurantStats(entry.restaurantId);
      this.#restaurantHashes.set(entry.restaurantId, hash);
    }
    this.#add(hash, field, 1);
    if (Date.now() - this.#lastFlush >= FLUSH_EVERY_MS) void this.flush().catch(() => {});
  }

  #add(key: string, field: string, n: number): void {
    let fields = this.#pending.get(key);
    if (!fields) {
      fields = new Map();
      this.#pending.set(key, fields);
    }
    fields.set(field, (fields.get(field) ?? 0) + n);
  }

  /** Adds the pending counts to Redis; on failure they stay pending for the next flush. */
  async flush(): Promise<void> {
    this.#lastFlush = Date.now();
    if (this.#pending.size === 0 || !this.#redis.available) return;
    const batch = [...this.#pending].flatMap(([key, fields]) =>
      [...fields].map(([field, n]) => [key, field, n] as const),
    );
    this.#pending.clear();
    try {
      await this.#redis.pipeline(batch.map(([key, field, n]) => ["HINCRBY", [key, field, n]] as const));
    } catch (error) {
      for (const [key, field, n] of batch) this.#add(key, field, n);
      throw error;
    }
  }

  /**
   * Everything the stats route shows: counters, key counts per family and, for the whole cache,
   * Redis memory and this instance's Redis failures. Scoped to restaurants, only their counters
   * and keys: nothing cache-wide.
   */
  async read(scope: "all" | readonly number[] = "all"): Promise<CacheStats> {
    await this.flush().catch(() => {});
    const now = Date.now();
    const all = scope === "all";
    const hashes = all ? [this.#keys.stats] : scope.map((id) => this.#keys.restaurantStats(id));
    const indexes = (family: CacheFamily) =>
      all ? [this.#keys.familyIndex(family)] : scope.map((id) => this.#keys.restaurantFamilyIndex(family, id));
    const replies = await this.#redis.pipeline([
      ["INFO", ["memory"]],
      ...hashes.map((key) => ["HGETALL", [key]] as const),
      ...cacheFamilies.flatMap((f) => indexes(f).map((key) => ["ZCOUNT", [key, now, "+inf"]] as const)),
    ]);
    const info = parseInfo(replies[0]);
    const records = hashes.map((_, i) => toRecord(replies[1 + i]));
    const counter = (field: string) => records.reduce((n, record) => n + toNumber(record[field]), 0);
    const perFamily = all ? 1 : scope.length;
    const families = cacheFamilies.map((family, i): FamilyStats => {
      const hits = counter(`${family}:hits`);
      const misses = counter(`${family}:misses`);
      const fallbacks = counter(`${family}:fallbacks`);
      const start = 1 + hashes.length + i * perFamily;
      const keys = replies.slice(start, start + perFamily).reduce((n: number, reply) => n + toNumber(reply), 0);
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
      scope: all ? "all" : [...scope],
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
        usedMemoryBytes: !all || info.used_memory === undefined ? null : Number(info.used_memory),
        usedMemoryHuman: all ? (info.used_memory_human ?? null) : null,
        failures: all ? this.#redis.failures : 0,
      },
    };
  }
}
