import { createMiddleware } from "hono/factory";
import { byClientIp, ratePolicy, setRateLimitHeaders, tooManyRequests } from "../http/rate-limit";
import type { AppEnv } from "../kernel/app-env";
import { unauthorized } from "../kernel/app-error";

/**
 * Requires a bearer token and provides the user with their memberships as
 * `c.var.principal`, through the app's principal cache (verified tokens and
 * principals kept in process, invalidated across instances). A bad token
 * counts against the client's address (`RATE_LIMIT_AUTH_FAILURES`); past
 * that quota the answer is a 429 instead of a 401 until the window lets one
 * through. Good tokens never touch the limiter, so an authenticated read
 * still costs no round trip.
 *
 * @example
 * createRoute({ method: "get", path: "/v1/me", middleware: [requireAuth()] as const, ... })
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // A request with no token at all is not a guess at one: only bad tokens count.
    if (!match?.[1]) throw unauthorized();
    const outcome = await c.var.services.principals.authenticate(match[1]);
    if (typeof outcome === "object") {
      c.set("principal", outcome);
      return next();
    }
    const policy = ratePolicy(c.var.deps.config, "auth-failures");
    if (policy) {
      const decision = await c.var.services.rateLimiter.take(policy, byClientIp(c));
      setRateLimitHeaders(c, decision);
      if (!decision.allowed) throw tooManyRequests(decision);
    }
    if (outcome === "invalid") throw unauthorized("the bearer token is invalid or expired");
    throw unauthorized("the bearer token names an unknown user");
  });
}
