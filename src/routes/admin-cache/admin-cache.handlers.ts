import type { RouteHandler } from "@hono/zod-openapi";
import { authorize, scopeFor } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import type { AppEnv } from "../../kernel/app-env";
import { forbidden } from "../../kernel/app-error";
import type * as routes from "./admin-cache.routes";

/** Operations that span restaurants are for admins only. */
function requireAdmin(principal: Principal): void {
  if (!principal.isAdmin) throw forbidden("only admins may act on every restaurant's cache");
}

export const getStats: RouteHandler<typeof routes.getStats, AppEnv> = async (c) => {
  // An owner sees their restaurants' entries only; the cache-wide view (memory included) is an admin's.
  const scope = scopeFor(c.var.principal, "cache:manage");
  if (scope !== "all" && scope.length === 0) throw forbidden();
  return c.json(await c.var.services.cache.stats(scope), 200);
};

export const warmUp: RouteHandler<typeof routes.warmUp, AppEnv> = async (c) => {
  const { restaurantId } = c.req.valid("json");
  if (restaurantId === undefined) requireAdmin(c.var.principal);
  else authorize(c.var.principal, "cache:manage", restaurantId);
  return c.json(await c.var.services.restaurantReads.warmUp(restaurantId), 200);
};

export const invalidate: RouteHandler<typeof routes.invalidate, AppEnv> = async (c) => {
  const { restaurantId, family } = c.req.valid("json");
  const { cache } = c.var.services;
  if (restaurantId === undefined) {
    requireAdmin(c.var.principal);
    await (family === undefined ? cache.invalidateAll() : cache.invalidate(family));
  } else {
    authorize(c.var.principal, "cache:manage", restaurantId);
    await (family === undefined ? cache.invalidateRestaurant(restaurantId) : cache.invalidate(family, restaurantId));
  }
  return c.json({ restaurantId: restaurantId ?? null, family: family ?? null }, 200);
};
