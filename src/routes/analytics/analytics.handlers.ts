import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import { sendCachedJson } from "../../http/cached-json";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./analytics.routes";

export const getAnalytics: RouteHandler<typeof routes.getAnalytics, AppEnv> = async (c) => {
  const { id, metric } = c.req.valid("param");
  authorize(c.var.principal, "analytics:view", id);
  const range = c.req.valid("query");
  return sendCachedJson(c, await c.var.services.analytics(metric, id, range));
};
