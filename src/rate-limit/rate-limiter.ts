import type { Logger } from "../logger";
import { toNumber } from "../redis/replies";
import { defineScript, runScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import rateLimitSource from "./lua/rate-limit-1.lua" with { type: "text" };

// Versioned: a changed script gets a new name (and SHA), so old and new instances never mix them.
const rateLimitScript = defineScript("rate-limit:gcra:v1", 1, rateLimitSource);

/** A limit: `limit` requests per `windowSeconds`, by identity. */
export type RateLimitPolicy = { name: string; limit: number; windowSeconds: number };

/** What one check found; `degraded` when Redis could not say and the request was let through. */
export type RateLimitDecision = {
  policy: RateLimitPolicy;
  allowed: boolean;
  remaining: number;
  /** Seconds until the identity's quota is whole again. */
  resetSeconds: number;
  /** Seconds until a request is allowed (0 when allowed). */
  retryAfterSeconds: number;
  degraded: boolean;
};

export type RateLimiterOptions = {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  /** Past this budget (or on any Redis error) the limit lets the request through. */
  timeoutMs?: number;
};

/**
 * Rate limits shared by every API instance through Redis (one GCRA key per policy and identity,
 * docs/decisions/0013-rate-limiter.md). A limit protects the service; it never costs an order:
 * when Redis cannot answer within the budget, the request goes through (fail open) and a warning
 * is logged.
 */
export class RateLimiter {
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  /** After a failed check, limits let requests through without asking Redis until then. */
  #failedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: RateLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 250;
  }

  /** The key of one identity under one policy; the hash tag keeps any future companion key in its slot. */
  key(policy: RateLimitPolicy, identity: string): string {
    // A client-supplied address must not reach outside its braces or grow the key.
    const safe = identity.replace(/[^\w.:-]/g, "_").slice(0, 100);
    return `${this.#prefix}:rl:{${policy.name}:${safe}}`;
  }

  /** Takes one request from the identity's quota, if there is one left. */
  take(policy: RateLimitPolicy, identity: string): Promise<RateLimitDecision> {
    return this.#step(policy, identity, 1);
  }

  /** Whether a request would be allowed, without taking one (failed-authentication limits look first). */
  peek(policy: RateLimitPolicy, identity: string): Promise<RateLimitDecision> {
    return this.#step(policy, identity, 0);
  }

  async #step(policy: RateLimitPolicy, identity: string, cost: 0 | 1): Promise<RateLimitDecision> {
    const open = {
      policy,
      allowed: true,
      remaining: policy.limit,
      resetSeconds: 0,
      retryAfterSeconds: 0,
      degraded: true,
    };
    // Redis just failed: every request would wait out the budget again for the same answer.
    if (performance.now() < this.#failedUntil) return open;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`rate limit check timed out after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      const reply = await Promise.race([
        runScript(
          this.#redis,
          rateLimitScript,
          [this.key(policy, identity)],
          [policy.limit, policy.windowSeconds * 1000, cost],
        ),
        timeout,
      ]);
      const [allowed, remaining, resetMs, retryMs] = (reply as unknown[]).map(toNumber) as [
        number,
        number,
        number,
        number,
      ];
      return {
        policy,
        allowed: allowed === 1,
        remaining: Math.max(0, remaining),
        resetSeconds: Math.ceil(resetMs / 1000),
        retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) * (allowed === 1 ? 0 : 1),
        degraded: false,
      };
    } catch (error) {
      this.#failedUntil = performance.now() + 1000;
      this.#logger.warn("rate limit unavailable; requests let through for 1 s", {
        policy: policy.name,
        error: (error as Error).message,
      });
      return open;
    } finally {
      clearTimeout(timer);
    }
  }
}
