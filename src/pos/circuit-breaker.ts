import { z } from "zod";
import { toNumber, toOptionalString } from "../redis/replies";
import { defineScript, runScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import { PosError } from "./errors";
import circuitBreakerSource from "./lua/circuit-breaker-1.lua" with { type: "text" };
import { posKeys } from "./pos-keys";
import type { PosType } from "./types";

// Versioned: a changed script gets a new name (and SHA), so old and new workers never mix them.
const circuitBreakerScript = defineScript("pos:circuit-breaker:v1", 1, circuitBreakerSource);

const POS_TYPES: readonly PosType[] = ["square", "toast", "local"];

/** The breaker's settings; the defaults are the documented thresholds (README, "POS sync"). */
export type CircuitBreakerSettings = {
  /** Consecutive outage failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before letting one probe through. */
  cooldownMs: number;
  /** An unanswered probe is presumed lost after this long (a job's timeout), and another caller may probe. */
  probeTimeoutMs: number;
  /** TTL of the `pos:connection:*` cache entry; renewed on every write. */
  ttlSeconds: number;
};

export const DEFAULT_CIRCUIT_BREAKER_SETTINGS: CircuitBreakerSettings = {
  failureThreshold: 5,
  cooldownMs: 30_000,
  probeTimeoutMs: 120_000,
  ttlSeconds: 300,
};

const storedStateSchema = z.object({
  state: z.enum(["closed", "open", "half_open"]),
  failures: z.number().int().default(0),
  openedAt: z.number().nullish(),
  probeStartedAt: z.number().nullish(),
  lastError: z.string().nullish(),
  lastSuccessAt: z.number().nullish(),
});

/** The cached `pos:connection:{restaurant_id}:{pos_type}` entry, as the API shows it. */
export type PosConnectionStatus = {
  restaurantId: number;
  posType: PosType;
  state: "closed" | "open" | "half_open";
  failures: number;
  /** Epoch ms (Redis server clock). */
  openedAt: number | null;
  lastError: string | null;
  lastSuccessAt: number | null;
};

export type CallPermission = { allowed: true } | { allowed: false; retryAfterMs: number };

function toStatus(restaurantId: number, posType: PosType, raw: string | null): PosConnectionStatus {
  const parsed = raw === null ? null : storedStateSchema.safeParse(JSON.parse(raw));
  const stored = parsed?.success ? parsed.data : { state: "closed" as const, failures: 0 };
  return {
    restaurantId,
    posType,
    state: stored.state,
    failures: stored.failures,
    openedAt: stored.openedAt ?? null,
    lastError: stored.lastError ?? null,
    lastSuccessAt: stored.lastSuccessAt ?? null,
  };
}

export type PosCircuitBreakerOptions = {
  redis: RedisConnection;
  /** The configured Redis key prefix (REDIS_PREFIX). */
  prefix: string;
  restaurantId: number;
  posType: PosType;
  settings?: Partial<CircuitBreakerSettings>;
};

/**
 * A circuit breaker for one (restaurant, POS), shared by every worker
 * through Redis: closed → open after `failureThreshold` consecutive outage
 * failures → after `cooldownMs`, half-open with exactly one probe → closed on
 * its success, open again on its failure. Each transition is one Lua call.
 *
 * Only outages count (5xx, timeouts, network errors, and anything that is
 * not a PosError, such as an aborted call). A 4xx answer — a 429 included —
 * proves the POS is up, so it is recorded as a success.
 *
 * @example
 * const permission = await breaker.canCall();
 * if (!permission.allowed) return release(permission.retryAfterMs);
 * try { await adapter.createOrder(input); await breaker.recordSuccess(); }
 * catch (error) { await breaker.recordFailure(error); throw error; }
 */
export class PosCircuitBreaker {
  readonly #redis: RedisConnection;
  readonly #key: string;
  readonly #settings: CircuitBreakerSettings;
  readonly #restaurantId: number;
  readonly #posType: PosType;

  constructor(options: PosCircuitBreakerOptions) {
    this.#redis = options.redis;
    this.#key = posKeys(options.prefix).connection(options.restaurantId, options.posType);
    this.#settings = { ...DEFAULT_CIRCUIT_BREAKER_SETTINGS, ...options.settings };
    this.#restaurantId = options.restaurantId;
    this.#posType = options.posType;
  }

  /** Whether this caller may call the POS now; while half-open, only one caller (the probe) is allowed. */
  async canCall(): Promise<CallPermission> {
    const [allowed, retryAfterMs] = await this.#run("acquire", "");
    return allowed ? { allowed: true } : { allowed: false, retryAfterMs };
  }

  async recordSuccess(): Promise<PosConnectionStatus> {
    return (await this.#run("success", ""))[2];
  }

  async recordFailure(error: unknown): Promise<PosConnectionStatus> {
    if (error instanceof PosError && (!error.retryable || error.status === 429)) return this.recordSuccess();
    const message = error instanceof Error ? error.message : String(error);
    return (await this.#run("failure", message.slice(0, 500)))[2];
  }

  async status(): Promise<PosConnectionStatus> {
    const raw = toOptionalString(await this.#redis.send("GET", [this.#key]));
    return toStatus(this.#restaurantId, this.#posType, raw);
  }

  async #run(operation: string, message: string): Promise<[boolean, number, PosConnectionStatus]> {
    const { failureThreshold, cooldownMs, probeTimeoutMs, ttlSeconds } = this.#settings;
    const reply = (await runScript(
      this.#redis,
      circuitBreakerScript,
      [this.#key],
      [operation, failureThreshold, cooldownMs, probeTimeoutMs, ttlSeconds, message],
    )) as unknown[];
    const status = toStatus(this.#restaurantId, this.#posType, toOptionalString(reply[2] ?? null));
    return [toNumber(reply[0]) === 1, toNumber(reply[1]), status];
  }
}

/**
 * The breaker status of a restaurant's POS connections (by default every POS
 * type), one GET each in one round trip: no KEYS, and safe on Redis Cluster.
 */
export function listPosConnectionStatuses(
  redis: RedisConnection,
  prefix: string,
  restaurantId: number,
  posTypes: readonly PosType[] = POS_TYPES,
): Promise<PosConnectionStatus[]> {
  return readPosConnectionStatuses(
    redis,
    prefix,
    posTypes.map((posType) => ({ restaurantId, posType })),
  );
}

/** The breaker status of any set of connections, one GET each in one pipeline (a never-used breaker is closed). */
export async function readPosConnectionStatuses(
  redis: RedisConnection,
  prefix: string,
  connections: ReadonlyArray<{ restaurantId: number; posType: PosType }>,
): Promise<PosConnectionStatus[]> {
  if (connections.length === 0) return [];
  const replies = await redis.pipeline(
    connections.map((c) => ["GET", [posKeys(prefix).connection(c.restaurantId, c.posType)]] as const),
  );
  return replies.map((reply, i) => {
    if (reply instanceof Error) throw reply;
    const c = connections[i]!;
    return toStatus(c.restaurantId, c.posType, toOptionalString(reply));
  });
}
