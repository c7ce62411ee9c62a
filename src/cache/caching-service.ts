import { AppError } from "../kernel/app-error";
import type { Logger } from "../logger";
import { toNumber, toOptionalString, toRecord } from "../redis/replies";
import { defineScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import {
  type BookkeepingKeys,
  bookkeepingKeys,
  type CacheEntry,
  type CacheFamily,
  cacheTtlSeconds,
} from "./cache-keys";
import { CacheCounters, type CacheStats } from "./cache-stats";
import { decodeEnvelope, encodeEnvelope, etagFor } from "./envelope";
import { GenerationReads, type Generations, type LocalValue, LocalValues, stampOf } from "./local-layer";
import releaseLockSource from "./lua/release-lock-1.lua" with { type: "text" };
import { RedisGuard } from "./redis-guard";
import { SingleFlight } from "./single-flight";

const releaseLock = defineScript("cache-release-lock-1", 1, releaseLockSource);

/**
 * A cached read: the JSON as served, its ETag, and where it came from; from the in-process
 * layer also the JSON as a Blob, encoded once, which every response shares (a Response copies a
 * Uint8Array body, but not a Blob's).
 */
export type CachedJson = { json: string; etag: string; source: "hit" | "miss" | "fallback"; body?: Blob };

export type CachingServiceOptions = {
  prefix: string;
  /** Per-command timeout; past it Redis counts as down. */
  redisTimeoutMs?: number;
  /** How long Redis is skipped after a failure. */
  retryAfterMs?: number;
  /** How long the instance computing a value may hold the stampede lock. */
  lockTtlMs?: number;
  /** How long a miss waits for another instance's computation before computing itself. */
  lockWaitMs?: number;
  /**
   * What an invalidation does when Redis is down. `defer` (a long-lived API process that also
   * reads): keep it and apply it before this instance's next read. `throw` (a worker, which never
   * reads, or a per-request edge instance, which does not live to retry): fail with a 503, so
   * the job retries and the caller knows.
   */
  onInvalidationFailure?: "defer" | "throw";
  /** Values kept in process (by cache key) and served while their stamp is current; 0 turns the layer off. */
  localEntries?: number;
};

type Lookup = { envelope: ReturnType<typeof decodeEnvelope>; stamp: string };

/** A hit served from the envelope Redis holds. */
function currentHit(envelope: { json: string; etag: string }): CachedJson {
  return { json: envelope.json, etag: envelope.etag, source: "hit" };
}

const unavailable = (message: string) => new AppError(503, "cache_unavailable", message);

const JSON_TYPE = "application/json";

const num = (v: unknown) => (v == null ? "0" : String(v));

/**
 * Cache-aside over Redis. A read looks the key up together with the
 * generations of its family and restaurant (one round trip); a value stored
 * under older generations is stale. Invalidation bumps a generation, which is
 * O(1), needs no KEYS or SCAN and touches one key, so it works on Redis
 * Cluster (see docs/decisions/0005-cache-invalidation.md).
 *
 * Concurrent misses for one key share one computation in process, and a short
 * Redis lock makes other instances wait for it. When Redis is unavailable the
 * loader's result is served directly: logged, counted, never an error.
 */
export class CachingService {
  readonly #redis: RedisGuard;
  readonly #keys: BookkeepingKeys;
  readonly #counters: CacheCounters;
  readonly #flights = new SingleFlight<CachedJson>();
  readonly #logger: Logger;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #pendingBumps = new Map<string, [hash: string, field: string]>();
  readonly #onInvalidationFailure: "defer" | "throw";
  readonly #local: LocalValues | null;
  readonly #generations: GenerationReads;

  constructor(redis: RedisConnection, logger: Logger, options: CachingServiceOptions) {
    this.#logger = logger;
    this.#redis = new RedisGuard(redis, logger, {
      timeoutMs: options.redisTimeoutMs ?? 250,
      retryAfterMs: options.retryAfterMs ?? 1000,
    });
    this.#keys = bookkeepingKeys(options.prefix);
    this.#counters = new CacheCounters(this.#redis, this.#keys);
    this.#lockTtlMs = options.lockTtlMs ?? 5000;
    this.#lockWaitMs = options.lockWaitMs ?? 2000;
    this.#onInvalidationFailure = options.onInvalidationFailure ?? "defer";
    const localEntries = options.localEntries ?? 1000;
    this.#local = localEntries > 0 ? new LocalValues(localEntries) : null;
    this.#generations = new GenerationReads((restaurantId) => this.#readGenerations(restaurantId));
  }

  /**
   * The cached JSON of an entry, computing and storing it with `load` on a
   * miss. A value this process already holds is served without fetching it
   * again once the generations (one small coalesced read) confirm its stamp.
   */
  async remember(entry: CacheEntry, load: () => Promise<unknown>): Promise<CachedJson> {
    const key = this.#keys.value(entry);
    const local = this.#local?.get(entry.key);
    if (local) {
      const stamp = await this.#currentStamp(entry);
      if (stamp === local.stamp) {
        this.#counters.count(entry, "hits");
        return { json: local.json, etag: local.etag, source: "hit", body: local.body };
      }
    }
    return this.#flights.run(key, () => this.#readThrough(entry, load));
  }

  /**
   * The fast path's read (src/http/fast-cached-reads.ts): `then` gets the value this process holds
   * for the entry once a coalesced generation read sent after this call confirms its stamp, as
   * `remember` serves a hit, or null when the read cannot confirm it (stale, Redis down). Null at
   * once when there is nothing to confirm (no value in process, an invalidation waiting to be
   * retried). A null sends the caller to `remember`, which decides as always.
   */
  localHit<T>(entry: CacheEntry, then: (value: LocalValue | null) => T | PromiseLike<T>): Promise<T> | null {
    if (!this.#local || this.#pendingBumps.size > 0) return null;
    const local = this.#local.get(entry.key);
    if (!local) return null;
    return this.#generations.get(entry.restaurantId).then(
      (generations) => {
        if (stampOf(generations, entry.family) !== local.stamp) return then(null);
        this.#counters.count(entry, "hits");
        return then(local);
      },
      () => then(null),
    );
  }

  /** Computes and stores an entry whatever the cache holds (warm-up). */
  async refresh(entry: CacheEntry, load: () => Promise<unknown>): Promise<void> {
    let stamp: string;
    try {
      await this.#retryInvalidations();
      stamp = (await this.#lookup(entry)).stamp;
    } catch {
      throw unavailable("Redis is unavailable; the cache cannot be warmed up");
    }
    const { envelope } = await this.#compute(load, stamp);
    await this.#store(entry, envelope).catch(() => {
      throw unavailable("Redis is unavailable; the cache cannot be warmed up");
    });
  }

  /** Makes a family's entries stale: for one restaurant, or for every restaurant. */
  async invalidate(family: CacheFamily, restaurantId?: number): Promise<void> {
    const key =
      restaurantId === undefined ? this.#keys.globalGenerations : this.#keys.restaurantGenerations(restaurantId);
    await this.#bump(key, family);
  }

  /** Makes every entry of one restaurant stale. */
  async invalidateRestaurant(restaurantId: number): Promise<void> {
    await this.#bump(this.#keys.restaurantGenerations(restaurantId), "all");
  }

  /** Makes everything stale. */
  async invalidateAll(): Promise<void> {
    await this.#bump(this.#keys.globalGenerations, "all");
  }

  /** What a menu change touches: the menu (every branch's view) and the categories. */
  async invalidateMenu(restaurantId: number): Promise<void> {
    await Promise.all([this.invalidate("menu_items", restaurantId), this.invalidate("categories", restaurantId)]);
  }

  /**
   * Adds this instance's pending hit/miss counts to Redis now. An app built per request (Workers)
   * calls it before its response: its counters die with it, and the once-a-second flush never comes.
   */
  flushCounters(): Promise<void> {
    return this.#counters.flush().catch(() => {});
  }

  /** Statistics of the whole cache (`"all"`), or of some restaurants' entries only. */
  async stats(scope: "all" | readonly number[] = "all"): Promise<CacheStats> {
    try {
      return await this.#counters.read(scope);
    } catch {
      throw unavailable("Redis is unavailable; cache statistics cannot be read");
    }
  }

  /**
   * Bumps a generation. When Redis is down the bump is kept and retried
   * before the next read that reaches Redis, so a value cached before the
   * outage cannot outlive a write made during it.
   */
  async #bump(hash: string, field: string): Promise<void> {
    this.#pendingBumps.set(`${hash}\n${field}`, [hash, field]);
    try {
      await this.#retryInvalidations();
    } catch (error) {
      if (this.#onInvalidationFailure === "throw") {
        this.#pendingBumps.delete(`${hash}\n${field}`);
        this.#logger.error("cache invalidation failed", { hash, field, error: String(error) });
        throw unavailable("Redis is unavailable; the cache could not be invalidated");
      }
      this.#logger.error("cache invalidation deferred until Redis is back", { hash, field, error: String(error) });
    }
  }

  async #retryInvalidations(): Promise<void> {
    if (this.#pendingBumps.size === 0) return;
    const bumps = [...this.#pendingBumps];
    await this.#redis.pipeline(bumps.map(([, [hash, field]]) => ["HINCRBY", [hash, field, 1]] as const));
    for (const [id] of bumps) this.#pendingBumps.delete(id);
  }

  /** The stamp a current value of the entry carries; null when Redis cannot say (the read-through decides). */
  async #currentStamp(entry: CacheEntry): Promise<string | null> {
    try {
      await this.#retryInvalidations();
      return stampOf(await this.#generations.get(entry.restaurantId), entry.family);
    } catch {
      return null;
    }
  }

  async #readGenerations(restaurantId: number): Promise<Generations> {
    const [global, restaurant] = await this.#redis.pipeline([
      ["HGETALL", [this.#keys.globalGenerations]],
      ["HGETALL", [this.#keys.restaurantGenerations(restaurantId)]],
    ]);
    return { global: toRecord(global), restaurant: toRecord(restaurant) };
  }

  #keepLocal(entry: CacheEntry, envelope: { stamp: string; etag: string; json: string }): void {
    if (!this.#local || envelope.stamp === "") return;
    const expiresAt = Date.now() + cacheTtlSeconds[entry.family] * 1000;
    const body = new Blob([envelope.json], { type: JSON_TYPE });
    // By the entry's own key: the prefix is this service's, the same for every value.
    this.#local.set(entry.key, { ...envelope, body, expiresAt });
  }

  async #lookup(entry: CacheEntry): Promise<Lookup> {
    const [raw, global, restaurant] = await this.#redis.pipeline([
      ["GET", [this.#keys.value(entry)]],
      ["HMGET", [this.#keys.globalGenerations, entry.family, "all"]],
      ["HMGET", [this.#keys.restaurantGenerations(entry.restaurantId), entry.family, "all"]],
    ]);
    const g = (global ?? []) as unknown[];
    const r = (restaurant ?? []) as unknown[];
    const stamp = `${num(g[0])}.${num(g[1])}.${num(r[0])}.${num(r[1])}`;
    const text = toOptionalString(raw);
    return { envelope: text === null ? null : decodeEnvelope(text), stamp };
  }

  async #readThrough(entry: CacheEntry, load: () => Promise<unknown>): Promise<CachedJson> {
    let found: Lookup;
    try {
      await this.#retryInvalidations();
      found = await this.#lookup(entry);
    } catch {
      return this.#fallback(entry, load);
    }
    if (found.envelope && found.envelope.stamp === found.stamp) {
      this.#counters.count(entry, "hits");
      this.#keepLocal(entry, found.envelope);
      return currentHit(found.envelope);
    }
    this.#counters.count(entry, "misses");
    const token = crypto.randomUUID();
    const mayCompute = await this.#tryLock(entry, token);
    if (!mayCompute) {
      const waited = await this.#waitForOther(entry, found.stamp);
      if (waited) return waited;
    }
    try {
      const { envelope } = await this.#compute(load, found.stamp);
      // A failed store only costs the next reader a recomputation; the guard has logged it.
      await this.#store(entry, envelope).catch(() => {});
      this.#keepLocal(entry, envelope);
      return { json: envelope.json, etag: envelope.etag, source: "miss" };
    } finally {
      // Released after the store, so instances waiting on the lock find the value.
      void this.#unlock(entry, token);
    }
  }

  async #fallback(entry: CacheEntry, load: () => Promise<unknown>): Promise<CachedJson> {
    this.#counters.count(entry, "fallbacks");
    const { envelope } = await this.#compute(load, "");
    return { json: envelope.json, etag: envelope.etag, source: "fallback" };
  }

  async #compute(load: () => Promise<unknown>, stamp: string) {
    const json = JSON.stringify(await load());
    return { envelope: { stamp, etag: await etagFor(json), json } };
  }

  async #store(entry: CacheEntry, envelope: { stamp: string; etag: string; json: string }): Promise<void> {
    const ttl = cacheTtlSeconds[entry.family];
    const now = Date.now();
    const index = this.#keys.familyIndex(entry.family);
    const own = this.#keys.restaurantFamilyIndex(entry.family, entry.restaurantId);
    await this.#redis.pipeline([
      ["SET", [this.#keys.value(entry), encodeEnvelope(envelope), "EX", ttl]],
      ["ZADD", [index, now + ttl * 1000, entry.key]],
      ["ZREMRANGEBYSCORE", [index, "-inf", now]],
      ["ZADD", [own, now + ttl * 1000, entry.key]],
      ["ZREMRANGEBYSCORE", [own, "-inf", now]],
      ["PEXPIRE", [own, ttl * 1000]],
    ]);
  }

  /** True when this caller should compute: it took the lock, or Redis could not say. */
  async #tryLock(entry: CacheEntry, token: string): Promise<boolean> {
    try {
      const reply = await this.#redis.send("SET", [this.#keys.lock(entry), token, "NX", "PX", this.#lockTtlMs]);
      return reply != null;
    } catch {
      // Without the lock we compute anyway: a stampede beats an error.
      return true;
    }
  }

  async #unlock(entry: CacheEntry, token: string): Promise<void> {
    try {
      await this.#redis.script(releaseLock, [this.#keys.lock(entry)], [token]);
    } catch {
      // The lock expires by itself within lockTtlMs.
    }
  }

  /** Polls for the value another instance is computing; null when it did not show up in time. */
  async #waitForOther(entry: CacheEntry, stamp: string): Promise<CachedJson | null> {
    const deadline = Date.now() + this.#lockWaitMs;
    // Once the lock is gone, one more look: the holder may have stored and released between a
    // lookup and the lock check. Nothing then means its loader failed: stop waiting.
    let lockGone = false;
    while (Date.now() < deadline) {
      if (!lockGone) await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        const found = await this.#lookup(entry);
        if (found.envelope && found.envelope.stamp === found.stamp) return currentHit(found.envelope);
        // Invalidated while we waited: compute the new value ourselves.
        if (found.stamp !== stamp || lockGone) return null;
        lockGone = toNumber(await this.#redis.send("EXISTS", [this.#keys.lock(entry)])) === 0;
      } catch {
        return null;
      }
    }
    return null;
  }
}
