import type { Logger } from "../logger";
import { type RedisScript, runScript } from "../redis/script";
import type { RedisArg, RedisCommand, RedisConnection } from "../redis/types";

export type RedisGuardOptions = {
  /** A command slower than this counts as a failure (a hung socket must not hang requests). */
  timeoutMs: number;
  /** After a failure, skip Redis for this long instead of paying the timeout on every request. */
  retryAfterMs: number;
};

/** Raised when Redis is being skipped after a recent failure. */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

/**
 * The cache's view of Redis: every call bounded by a timeout, and after a
 * failure Redis is skipped for a short while so an outage costs the callers
 * one timeout, not one per request. It logs once when Redis goes away and
 * once when it is back, and counts the failures.
 */
export class RedisGuard {
  readonly #redis: RedisConnection;
  readonly #logger: Logger;
  readonly #options: RedisGuardOptions;
  #skipUntil = 0;
  #failures = 0;

  constructor(redis: RedisConnection, logger: Logger, options: RedisGuardOptions) {
    this.#redis = redis;
    this.#logger = logger;
    this.#options = options;
  }

  /** Redis errors seen since start (timeouts included). */
  get failures(): number {
    return this.#failures;
  }

  get available(): boolean {
    return Date.now() >= this.#skipUntil;
  }

  send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    return this.#guard(() => this.#redis.send(command, args));
  }

  /** A pipeline whose in-place errors count as a failure of the whole call. */
  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    return this.#guard(async () => {
      const replies = await this.#redis.pipeline(commands);
      const error = replies.find((r) => r instanceof Error);
      if (error) throw error;
      return replies;
    });
  }

  script(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown> {
    return this.#guard(() => runScript(this.#redis, script, keys, args));
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    if (!this.available) throw new RedisUnavailableError("redis skipped after a recent failure");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis timed out after ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
      );
    });
    try {
      const result = await Promise.race([call(), timeout]);
      if (this.#failures > 0 && this.#skipUntil > 0) {
        this.#skipUntil = 0;
        this.#logger.info("cache redis available again");
      }
      return result;
    } catch (error) {
      this.#failures += 1;
      if (this.#skipUntil === 0)
        this.#logger.warn("cache redis unavailable, serving from the database", { error: String(error) });
      this.#skipUntil = Date.now() + this.#options.retryAfterMs;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
