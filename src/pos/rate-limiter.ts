import { toNumber, toOptionalString } from "../redis/replies";
import { defineScript, runScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import { PosRetryableError } from "./errors";
import { sleep } from "./http";
import rateLimitSource from "./lua/rate-limit-1.lua" with { type: "text" };
import { posKeys } from "./pos-keys";
import type { PosThrottle, PosType } from "./types";

// Versioned: a changed script gets a new name (and SHA), so old and new workers never mix them.
const rateLimitScript = defineScript("pos:rate-limit:v1", 1, rateLimitSource);

/** A connection's limit: `perSecond` calls a second on average, at most `burst` at once. */
export type PosRateLimit = { perSecond: number; burst: number };

export type PosRateLimiterOptions = {
  redis: RedisConnection;
  /** The configured Redis key prefix (REDIS_PREFIX). */
  prefix: string;
  restaurantId: number;
  posType: PosType;
  limit: PosRateLimit;
  /** Longest a call waits for its token in process; a longer wait is thrown so the job is released. */
  maxWaitMs: number;
};

export type RateLimitDecision = { granted: boolean; waitMs: number; why: "ok" | "bucket" | "paused" };

/**
 * The rate limit of one (restaurant, POS) connection, shared by every worker through one Redis
 * hash: a token bucket refilled at `perSecond`, and a pause that a POS's 429 sets for its
 * `Retry-After`. Each step is one Lua call timed by the Redis server.
 *
 * @example
 * const limiter = new PosRateLimiter({ redis, prefix, restaurantId: 1, posType: "square",
 *   limit: { perSecond: 10, burst: 10 }, maxWaitMs: 5_000 });
 * await limiter.acquire(signal); // waits for a token, or throws PosRetryableError("rate_limited")
 */
export class PosRateLimiter implements PosThrottle {
  readonly #redis: RedisConnection;
  readonly #key: string;
  readonly #options: PosRateLimiterOptions;

  constructor(options: PosRateLimiterOptions) {
    if (!(options.limit.perSecond > 0) || !(options.limit.burst >= 1)) {
      throw new Error(
        `rate limit of ${options.posType} connection ${options.restaurantId} must be > 0 with burst >= 1`,
      );
    }
    this.#redis = options.redis;
    this.#key = posKeys(options.prefix).rateLimit(options.restaurantId, options.posType);
    this.#options = options;
  }

  /** Takes a token now or after a short wait (reserved, so waiting callers are served in order). */
  async take(): Promise<RateLimitDecision> {
    const { perSecond, burst } = this.#options.limit;
    return this.#run(["take", perSecond, burst, this.#options.maxWaitMs]);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const decision = await this.take();
    if (!decision.granted) {
      const { posType, restaurantId } = this.#options;
      throw new PosRetryableError({
        posType,
        reason: "rate_limited",
        message: `${posType}: connection of restaurant ${restaurantId} is ${decision.why === "paused" ? "paused after a 429" : "at its rate limit"}; next call in ${decision.waitMs} ms`,
        retryAfterMs: decision.waitMs,
      });
    }
    if (decision.waitMs > 0) await sleep(decision.waitMs, signal);
  }

  async pause(ms: number): Promise<void> {
    await this.#run(["pause", 0, 0, Math.max(0, Math.round(ms))]);
  }

  async #run(args: Array<string | number>): Promise<RateLimitDecision> {
    const reply = (await runScript(this.#redis, rateLimitScript, [this.#key], args)) as unknown[];
    const why = toOptionalString(reply[2] ?? null) as RateLimitDecision["why"];
    return { granted: toNumber(reply[0]) === 1, waitMs: toNumber(reply[1]), why };
  }
}

/** The vendor defaults as configured (`POS_RATE_LIMIT_*_PER_SECOND`). */
export type VendorRateLimits = Record<PosType, number>;

/**
 * A connection's limit: its own row's settings when set, else its vendor's configured rate; the
 * burst defaults to one second's worth (at least one call).
 */
export function connectionRateLimit(
  vendorDefaults: VendorRateLimits,
  connection: { posType: PosType; rateLimitPerSecond?: number | null; rateLimitBurst?: number | null },
): PosRateLimit {
  const perSecond = connection.rateLimitPerSecond ?? vendorDefaults[connection.posType];
  return { perSecond, burst: connection.rateLimitBurst ?? Math.max(1, Math.floor(perSecond)) };
}
