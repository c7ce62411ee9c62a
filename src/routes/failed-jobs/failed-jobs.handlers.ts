import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../kernel/app-env";
import { AppError } from "../../kernel/app-error";
import { monitoringScope } from "../../services/monitoring/monitoring-scope";
import type * as routes from "./failed-jobs.routes";

export const listFailed: RouteHandler<typeof routes.listFailed, AppEnv> = async (c) => {
  const { restaurantId, limit, offset, ...query } = c.req.valid("query");
  const scope = monitoringScope(c.var.principal, "queue:view", restaurantId);
  const page = { limit, offset };
  return c.json(
    await c.var.services.monitoring.failed.list(scope, query, page, { admin: c.var.principal.isAdmin }),
    200,
  );
};

export const retryFailed: RouteHandler<typeof routes.retryFailed, AppEnv> = async (c) => {
  return c.json(await c.var.services.monitoring.failed.retryOne(c.var.principal, c.req.valid("param").id), 200);
};

export const retryMatching: RouteHandler<typeof routes.retryMatching, AppEnv> = async (c) => {
  // The validator skips a body that is not JSON; retrying everything must be asked for with `{}`.
  if (!/^application\/json/i.test(c.req.header("content-type") ?? "")) {
    throw new AppError(400, "validation_error", "a JSON body is required: the filter, or {} for every failed job");
  }
  const { restaurantId, ...query } = c.req.valid("json");
  const scope = monitoringScope(c.var.principal, "queue:manage", restaurantId);
  return c.json(await c.var.services.monitoring.failed.retryMatching(scope, query), 200);
};

export const deleteFailed: RouteHandler<typeof routes.deleteFailed, AppEnv> = async (c) => {
  return c.json(await c.var.services.monitoring.failed.deleteOne(c.var.principal, c.req.valid("param").id), 200);
};

export const clearFailed: RouteHandler<typeof routes.clearFailed, AppEnv> = async (c) => {
  const { restaurantId, ...query } = c.req.valid("query");
  const scope = monitoringScope(c.var.principal, "queue:manage", restaurantId);
  return c.json(await c.var.services.monitoring.failed.clear(scope, query), 200);
};
