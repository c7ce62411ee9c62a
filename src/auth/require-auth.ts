import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { users } from "../../db/schema";
import type { AppEnv } from "../kernel/app-env";
import { unauthorized } from "../kernel/app-error";
import { verifyToken } from "./tokens";

/**
 * Requires a bearer token and loads the user with their memberships in one
 * query, as `c.var.principal`.
 *
 * @example
 * createRoute({ method: "get", path: "/v1/me", middleware: [requireAuth()] as const, ... })
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized();
    const { db, config } = c.var.deps;
    const userId = await verifyToken(config.JWT_SECRET, match[1]);
    if (userId === null) throw unauthorized("the bearer token is invalid or expired");
    const user = await db.query.users.findFirst({
      columns: { id: true, email: true, name: true, isAdmin: true },
      where: eq(users.id, userId),
      with: { memberships: { columns: { restaurantId: true, role: true } } },
    });
    if (!user) throw unauthorized("the bearer token names an unknown user");
    c.set("principal", {
      userId: user.id,
      email: user.email,
      name: user.name,
      isAdmin: user.isAdmin,
      memberships: user.memberships,
    });
    await next();
  });
}
