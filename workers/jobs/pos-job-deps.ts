import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { posConnections } from "../../db/schema";
import type { PosCircuitBreaker } from "../../src/pos/circuit-breaker";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { PosError, PosRetryableError } from "../../src/pos/errors";
import { DEFAULT_RATE_LIMIT_PAUSE_MS } from "../../src/pos/http";
import type { PosCallMetrics } from "../../src/pos/pos-call-metrics";
import type { PosAdapter, PosConnection, PosThrottle, PosType } from "../../src/pos/types";
import { JobTimeoutError, MissingModelError, NonRetryableError } from "../../src/queue/errors";
import type { JobContext } from "../../src/queue/job";

/** The circuit breaker as the jobs use it (one per restaurant and POS type, shared through Redis). */
export type PosBreaker = Pick<PosCircuitBreaker, "canCall" | "recordSuccess" | "recordFailure">;

/** What the POS jobs need; the worker and the API each build one. */
export type PosJobDeps = {
  db: Database;
  adapterFor(connection: ActiveConnection): PosAdapter;
  breakerFor(restaurantId: number, posType: PosType): PosBreaker;
  /** Drops the restaurant's cached menu after a menu sync. */
  invalidateMenu(restaurantId: number): Promise<void>;
  /**
   * The scale the jobs' clocks run at (1 in production; tests use 0.001, see `createPosJobs`).
   * A wait the outside world dictates — a POS's `Retry-After`, the rate limit — is divided by it
   * before `ctx.release`, so that it stays real once the release is scaled.
   */
  timeScale?: number;
};

/** Longest a job waits before asking an open breaker again; not counted as a try. */
export const BREAKER_RELEASE_MAX_SECONDS = 60;

export type ActiveConnection = PosConnection & {
  id: number;
  rateLimitPerSecond?: number | null;
  rateLimitBurst?: number | null;
};

/** The restaurant's active POS connection, or null when it has none (nothing to sync). */
export async function activeConnection(db: Database, restaurantId: number): Promise<ActiveConnection | null> {
  const row = await db.query.posConnections.findFirst({
    columns: {
      id: true,
      restaurantId: true,
      posType: true,
      baseUrl: true,
      locationRef: true,
      credentials: true,
      rateLimitPerSecond: true,
      rateLimitBurst: true,
    },
    where: and(eq(posConnections.restaurantId, restaurantId), eq(posConnections.status, "active")),
  });
  return row ?? null;
}

/** A restaurant's connection that must exist for the job to mean anything. */
export async function requireConnection(db: Database, restaurantId: number): Promise<ActiveConnection> {
  const connection = await activeConnection(db, restaurantId);
  if (!connection) throw new MissingModelError(`restaurant ${restaurantId} has no active POS connection`);
  return connection;
}

export type PosCallResult<T> = { released: true } | { released: false; value: T };

/** Releases the job for a wait measured in real milliseconds, whatever the jobs' time scale. */
function releaseForRealMs(deps: PosJobDeps, ctx: JobContext, ms: number): void {
  ctx.release(Math.max(ms, 1) / 1000 / (deps.timeScale ?? 1));
}

/**
 * Calls the POS through its circuit breaker. While the breaker is open the job
 * is released (no try used) instead of calling; outages are recorded so the
 * breaker opens for every worker; a Retry-After longer than the job's next
 * backoff is honoured by releasing for that long. A rate limit — the connection's
 * own (the throttle said wait too long) or the POS's 429 — releases the job for
 * the wait, without using a try and without counting as an outage.
 */
export async function callPos<T>(
  deps: PosJobDeps,
  ctx: JobContext,
  connection: ActiveConnection,
  call: (adapter: PosAdapter) => Promise<T>,
): Promise<PosCallResult<T>> {
  const breaker = deps.breakerFor(connection.restaurantId, connection.posType);
  const permission = await breaker.canCall();
  if (!permission.allowed) {
    const seconds = Math.min(BREAKER_RELEASE_MAX_SECONDS, Math.max(1, Math.ceil(permission.retryAfterMs / 1000)));
    ctx.log.info("circuit open, releasing", {
      restaurantId: connection.restaurantId,
      pos: connection.posType,
      seconds,
    });
    ctx.release(seconds);
    return { released: true };
  }
  try {
    const value = await call(deps.adapterFor(connection));
    await breaker.recordSuccess();
    return { released: false, value };
  } catch (error) {
    if (error instanceof PosRetryableError && error.reason === "rate_limited" && !ctx.signal.aborted) {
      // A 429 is an answer: the POS is up. Our own limiter's refusal made no call at all.
      if (error.status === 429) await breaker.recordSuccess();
      ctx.log.info("rate limited, releasing", {
        restaurantId: connection.restaurantId,
        pos: connection.posType,
        ms: error.retryAfterMs,
      });
      releaseForRealMs(deps, ctx, error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
      return { released: true };
    }
    // The POS answered and refused this request (4xx): it is up, and it will refuse the request
    // again as it stands, so fail now and keep the tries for outages.
    if (error instanceof PosError && !error.retryable) {
      await breaker.recordSuccess();
      throw new NonRetryableError(error.message, { cause: error });
    }
    // This worker is stopping: not the POS's doing, and the job runs again elsewhere.
    if (ctx.signal.aborted && !(ctx.signal.reason instanceof JobTimeoutError)) throw error;
    // Anything else — 5xx, 429, network, our timeout — is the POS being unwell.
    const status = await breaker.recordFailure(error);
    // An attempt past its timeout is over: the worker has already counted it, so a release
    // would be ignored and the job's own failure handling (marking the row) must run.
    if (ctx.signal.aborted) throw error;
    // The failure that opens the breaker, or a failed probe, is the POS's outage, not this
    // job's fault: wait for the POS instead of using a try, so jobs resume when it is back.
    if (status.state === "open") {
      ctx.release(BREAKER_RELEASE_MAX_SECONDS / 2);
      return { released: true };
    }
    if (error instanceof PosRetryableError && error.retryAfterMs && error.retryAfterMs > 60_000) {
      ctx.release(Math.ceil(error.retryAfterMs / 1000));
      return { released: true };
    }
    throw error;
  }
}

/** The jobs' dependencies on real parts: adapters from the connection row, breakers in Redis. */
export function createPosJobDeps(options: {
  db: Database;
  breakerFor: PosJobDeps["breakerFor"];
  invalidateMenu: PosJobDeps["invalidateMenu"];
  /** The connection's rate limit, shared by every worker; none → calls are not limited. */
  throttleFor?: (connection: ActiveConnection) => PosThrottle;
  timeoutMs?: number;
  /** A `Retry-After` up to this long is waited out inline (the adapters' default: 2 s). */
  maxInlineRetryAfterMs?: number;
  /** Where the adapters count their calls (default: this process's). */
  posMetrics?: PosCallMetrics;
  timeScale?: number;
}): PosJobDeps {
  return {
    db: options.db,
    adapterFor: (connection) =>
      createPosAdapter({
        connection,
        timeoutMs: options.timeoutMs,
        maxInlineRetryAfterMs: options.maxInlineRetryAfterMs,
        metrics: options.posMetrics,
        throttle: options.throttleFor?.(connection),
      }),
    breakerFor: options.breakerFor,
    invalidateMenu: options.invalidateMenu,
    timeScale: options.timeScale,
  };
}
