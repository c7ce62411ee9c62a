import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import { sendCachedJson } from "../../http/cached-json";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./restaurants.routes";

export const listRestaurants: RouteHandler<typeof routes.listRestaurants, AppEnv> = async (c) => {
  const { page, pageSize } = c.req.valid("query");
  return c.json(await c.var.services.restaurantReads.list(page, pageSize), 200);
};

export const getRestaurant: RouteHandler<typeof routes.getRestaurant, AppEnv> = async (c) => {
  return sendCachedJson(c, await c.var.services.restaurantReads.info(c.req.valid("param").id));
};

export const getMenu: RouteHandler<typeof routes.getMenu, AppEnv> = async (c) => {
  const { branchId } = c.req.valid("query");
  return sendCachedJson(c, await c.var.services.restaurantReads.menu(c.req.valid("param").id, branchId));
};

export const getCategories: RouteHandler<typeof routes.getCategories, AppEnv> = async (c) => {
  return sendCachedJson(c, await c.var.services.restaurantReads.categories(c.req.valid("param").id));
};

export const getLoyaltyRules: RouteHandler<typeof routes.getLoyaltyRules, AppEnv> = async (c) => {
  return sendCachedJson(c, await c.var.services.restaurantReads.loyaltyRules(c.req.valid("param").id));
};

export const getConfig: RouteHandler<typeof routes.getConfig, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "config:view", id);
  return sendCachedJson(c, await c.var.services.restaurantReads.config(id));
};

export const putConfig: RouteHandler<typeof routes.putConfig, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "config:update", id);
  return c.json(await c.var.services.restaurantReads.updateConfig(id, c.req.valid("json")), 200);
};

export const setBranchAvailability: RouteHandler<typeof routes.setBranchAvailability, AppEnv> = async (c) => {
  const { id, branchId, itemId } = c.req.valid("param");
  authorize(c.var.principal, "menu:availability", id);
  const { available } = c.req.valid("json");
  const result = await c.var.services.menuAvailability.set(id, branchId, itemId, available, c.var.principal.userId);
  return c.json(result, 200);
};

export const clearBranchAvailability: RouteHandler<typeof routes.clearBranchAvailability, AppEnv> = async (c) => {
  const { id, branchId, itemId } = c.req.valid("param");
  authorize(c.var.principal, "menu:availability", id);
  await c.var.services.menuAvailability.clear(id, branchId, itemId);
  return c.body(null, 204);
};
