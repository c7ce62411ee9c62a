import type { RedisConnection } from "../redis/types";
import type { Principal } from "./principal";
import type { TokenVerifier } from "./tokens";

/** What a bearer token turned out to be. */
export type Authentication = Principal | "invalid" | "unknown_user";

export type PrincipalCacheOptions = {
  redis: RedisConnection;
  prefix: string;
  /** Verifies a token: the user it names and its expiry, or null. */
  verify: TokenVerifier;
  /** Loads a user with their memberships; null when there is no such user. */
  load: (userId: number) => Promise<Principal | null>;
  /** How long a principal is kept even without an invalidation (the backstop for writes that do not announce). */
  ttlMs?: number;
  /** How old the last look at the version key may be before a request looks again. */
  checkEveryMs?: number;
  /** The Redis look's budget; past it, or on an error, the cache is bypassed (every request loads). */
  checkTimeoutMs?: number;
  /** After a failed look, how long requests load without asking Redis again. */
  retryAfterMs?: number;
  /** Entries kept per map (tokens, principals); the oldest go first. */
  maxEntries?: number;
  /** False: nothing is kept, every call verifies and loads without asking Redis (an app built per request). */
  keep?: boolean;
};

type CachedPrincipal = { principal: Principal; version: string; expiresAt: number };

/** The Redis key whose value every instance compares its cached principals against. */
export const principalVersionKey = (prefix: string) => `${prefix}:auth:principal-version`;

/**
 * Announces that a user, a role or a membership changed: every instance drops
 * its cached principals at its next look at the version key (≤ `checkEveryMs`
 * later). Whatever writes users or `restaurant_members` calls this.
 */
export async function invalidatePrincipals(redis: RedisConnection, prefix: string): Promise<void> {
  await redis.send("INCR", [principalVersionKey(prefix)]);
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * Authenticated reads without a database round trip each: verified tokens
 * are kept until their `exp`, principals (user + memberships) for `ttlMs`,
 * and both only while the Redis version key is what it was when they were
 * cached. The key is read at most once per `checkEveryMs` per instance, one
 * read shared by every request that needs it, so a role removed on any
 * instance stops working everywhere within `checkEveryMs` plus a round trip.
 * When Redis cannot answer, nothing is served from the cache (see
 * docs/decisions/0015-principal-cache.md).
 */
export class PrincipalCache {
  readonly #options: Required<Omit<PrincipalCacheOptions, "redis" | "prefix" | "verify" | "load" | "keep">>;
  readonly #keep: boolean;
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #versionKey: string;
  readonly #verify: PrincipalCacheOptions["verify"];
  readonly #load: PrincipalCacheOptions["load"];
  readonly #tokens = new Map<string, { userId: number; expiresAt: number }>();
  readonly #principals = new Map<number, CachedPrincipal>();
  /** Loads in flight by user and version: a request that has seen a newer version never joins an older load. */
  readonly #loading = new Map<string, Promise<Principal | null>>();
  #version: string | null = null;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #checking: Promise<string | null> | null = null;
  #failedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: PrincipalCacheOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#versionKey = principalVersionKey(options.prefix);
    this.#verify = options.verify;
    this.#load = options.load;
    this.#keep = options.keep ?? true;
    this.#options = {
      ttlMs: options.ttlMs ?? 5000,
      checkEveryMs: options.checkEveryMs ?? 250,
      checkTimeoutMs: options.checkTimeoutMs ?? 500,
      retryAfterMs: options.retryAfterMs ?? 1000,
      maxEntries: options.maxEntries ?? 10_000,
    };
  }

  /** The principal a bearer token stands for, or why there is none. */
  async authenticate(token: string): Promise<Authentication> {
    if (!this.#keep) {
      const verified = await this.#verify(token);
      if (verified === null) return "invalid";
      if (verified.userId === null) return "unknown_user";
      return (await this.#load(verified.userId)) ?? "unknown_user";
    }
    const userId = await this.#userIdOf(token);
    if (userId === null) return "invalid";
    if (userId === "unknown") return "unknown_user";
    const version = await this.#currentVersion();
    const cached = this.#principals.get(userId);
    if (version !== null && cached && cached.version === version && cached.expiresAt > performance.now()) {
      return cached.principal;
    }
    const principal = await this.#loadOnce(userId, version);
    return principal ?? "unknown_user";
  }

  /** Drops every principal on every instance (the version key) and this instance's at once. */
  async invalidate(): Promise<void> {
    this.#principals.clear();
    await invalidatePrincipals(this.#redis, this.#prefix);
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  async #userIdOf(token: string): Promise<number | "unknown" | null> {
    const known = this.#tokens.get(token);
    if (known) {
      if (known.expiresAt > Date.now()) return known.userId;
      this.#tokens.delete(token);
    }
    const verified = await this.#verify(token);
    if (verified === null) return null;
    // A valid token naming no user yet is looked at again next time: the user may be created meanwhile.
    if (verified.userId === null) return "unknown";
    // Every accepted token has an `exp` (the verifiers require one): it is known good until then.
    remember(this.#tokens, token, { userId: verified.userId, expiresAt: verified.expiresAt }, this.#options.maxEntries);
    return verified.userId;
  }

  /** The version key as of at most `checkEveryMs` ago; null when Redis cannot say. */
  #currentVersion(): Promise<string | null> | string | null {
    const now = performance.now();
    if (this.#version !== null && now - this.#checkedAt < this.#options.checkEveryMs) return this.#version;
    if (now < this.#failedUntil) return null;
    if (!this.#checking) {
      const sentAt = performance.now();
      this.#checking = this.#readVersion()
        .then((version) => {
          this.#version = version;
          this.#checkedAt = sentAt;
          return version;
        })
        .catch(() => {
          this.#version = null;
          this.#failedUntil = performance.now() + this.#options.retryAfterMs;
          return null;
        })
        .finally(() => {
          this.#checking = null;
        });
    }
    return this.#checking;
  }

  async #readVersion(): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("principal version check timed out")), this.#options.checkTimeoutMs);
    });
    try {
      const reply = await Promise.race([this.#redis.send("GET", [this.#versionKey]), timeout]);
      return reply == null ? "0" : String(reply);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One database load per user at a time; cached under the version seen before it started. */
  #loadOnce(userId: number, version: string | null): Promise<Principal | null> {
    const flight = `${userId}:${version}`;
    const running = this.#loading.get(flight);
    if (running) return running;
    const load = this.#load(userId)
      .then((principal) => {
        if (principal && version !== null && version === this.#version) {
          const expiresAt = performance.now() + this.#options.ttlMs;
          remember(this.#principals, userId, { principal, version, expiresAt }, this.#options.maxEntries);
        }
        return principal;
      })
      .finally(() => this.#loading.delete(flight));
    this.#loading.set(flight, load);
    return load;
  }
}
