import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Config } from "../config";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";
import type { RateLimitDecision, RateLimitPolicy } from "../rate-limit/rate-limiter";

/** The configured limits, by the name the README's limits table uses. */
export const RATE_LIMIT_SETTINGS = {
  "auth-failures": "RATE_LIMIT_AUTH_FAILURES",
  orders: "RATE_LIMIT_ORDERS",
  payments: "RATE_LIMIT_PAYMENTS",
  webhooks: "RATE_LIMIT_WEBHOOKS",
  "monitoring-writes": "RATE_LIMIT_MONITORING_WRITES",
} as const satisfies Record<string, keyof Config>;

export type RateLimitName = keyof typeof RATE_LIMIT_SETTINGS;

/** A configured policy, or null when that limit is `off`. */
export function ratePolicy(config: Config, name: RateLimitName): RateLimitPolicy | null {
  const setting = config[RATE_LIMIT_SETTINGS[name]];
  return setting ? { name, ...setting } : null;
}

/**
 * The client's address: the configured proxy header (`CLIENT_IP_HEADER`; for X-Forwarded-For the
 * last entry, the one our proxy appended), else the socket's address when Bun serves the app,
 * else "unknown" (one shared bucket: configure the header behind a proxy or on the edge).
 */
export function clientIp(c: Context<AppEnv>): string {
  const header = c.var.deps.config.CLIENT_IP_HEADER;
  if (header) {
    const value = c.req.header(header)?.split(",").pop()?.trim();
    if (value) return value;
  }
  const server = c.env as { requestIP?: (request: Request) => { address: string } | null } | undefined;
  if (typeof server?.requestIP === "function") return server.requestIP(c.req.raw)?.address ?? "unknown";
  return "unknown";
}

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy (`q` requests per
 * `w` seconds) and what is left of it (`r` remaining, `t` seconds until whole), plus Retry-After
 * on a 429.
 */
export function setRateLimitHeaders(c: Context, decision: RateLimitDecision): void {
  if (decision.degraded) return;
  const { name, limit, windowSeconds } = decision.policy;
  c.header("RateLimit-Policy", `"${name}";q=${limit};w=${windowSeconds}`);
  c.header("RateLimit", `"${name}";r=${decision.remaining};t=${decision.resetSeconds}`);
  if (!decision.allowed) c.header("Retry-After", String(decision.retryAfterSeconds));
}

/** The 429 every limit answers with. */
export function tooManyRequests(decision: RateLimitDecision): AppError {
  return new AppError(
    429,
    "rate_limited",
    `too many requests (${decision.policy.name}: ${decision.policy.limit} per ${decision.policy.windowSeconds} s); retry in ${decision.retryAfterSeconds} s`,
  );
}

/**
 * Takes one request from the caller's quota under a configured limit (`off` → no-op); a 429 with
 * Retry-After when it is used up. `identify` names the caller (after requireAuth: the user).
 *
 * @example
 * middleware: [requireAuth(), rateLimit("orders", (c) => `user:${c.var.principal.userId}`)] as const
 */
export function rateLimit(name: RateLimitName, identify: (c: Context<AppEnv>) => string) {
  return createMiddleware<AppEnv>(async function rateLimitMiddleware(c, next) {
    const policy = ratePolicy(c.var.deps.config, name);
    if (!policy) return next();
    const decision = await c.var.services.rateLimiter.take(policy, identify(c));
    setRateLimitHeaders(c, decision);
    if (!decision.allowed) throw tooManyRequests(decision);
    await next();
  });
}

/** The usual identities: the signed-in user, the client's address. */
export const byUser = (c: Context<AppEnv>) => `user:${c.var.principal.userId}`;
export const byClientIp = (c: Context<AppEnv>) => `ip:${clientIp(c)}`;
