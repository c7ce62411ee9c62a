import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../kernel/app-env";
import { unauthorized } from "../kernel/app-error";

/**
 * Requires a bearer token and provides the user with their memberships as
 * `c.var.principal`, through the app's principal cache (verified tokens and
 * principals kept in process, invalidated across instances).
 *
 * @example
 * createRoute({ method: "get", path: "/v1/me", middleware: [requireAuth()] as const, ... })
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized();
    const principal = await c.var.services.principals.authenticate(match[1]);
    if (principal === "invalid") throw unauthorized("the bearer token is invalid or expired");
    if (principal === "unknown_user") throw unauthorized("the bearer token names an unknown user");
    c.set("principal", principal);
    await next();
  });
}
