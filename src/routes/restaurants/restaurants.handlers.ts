import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import type { AppEnv } from "../../http/app-env";
import * as service from "../../services/restaurants";
import type * as routes from "./restaurants.routes";

export const listRestaurants: RouteHandler<typeof routes.listRestaurants, AppEnv> = async (c) => {
  const { page, pageSize } = c.req.valid("query");
  return c.json(await service.listRestaurants(c.var.deps.db, page, pageSize), 200);
};

export const getRestaurant: RouteHandler<typeof routes.getRestaurant, AppEnv> = async (c) => {
  return c.json(await service.getRestaurant(c.var.deps.db, c.req.valid("param").id), 200);
};

export const getMenu: RouteHandler<typeof routes.getMenu, AppEnv> = async (c) => {
  const { branchId } = c.req.valid("query");
  return c.json(await service.getMenu(c.var.deps.db, c.req.valid("param").id, branchId), 200);
};

export const getLoyaltyRules: RouteHandler<typeof routes.getLoyaltyRules, AppEnv> = async (c) => {
  return c.json(await service.getLoyaltyRules(c.var.deps.db, c.req.valid("param").id), 200);
};

export const getConfig: RouteHandler<typeof routes.getConfig, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "config:view", id);
  return c.json(await service.getRestaurantConfig(c.var.deps.db, id), 200);
};

export const putConfig: RouteHandler<typeof routes.putConfig, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "config:update", id);
  return c.json(await service.updateRestaurantConfig(c.var.deps.db, id, c.req.valid("json")), 200);
};
