import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import { sendCachedJson } from "../../http/cached-json";
import type { AppEnv } from "../../kernel/app-env";
import { getAnalytics as computeAnalytics } from "../../services/analytics/analytics";
import type * as routes from "./analytics.routes";

export const getAnalytics: RouteHandler<typeof routes.getAnalytics, AppEnv> = async (c) => {
  const { id, metric } = c.req.valid("param");
  authorize(c.var.principal, "analytics:view", id);
  const range = c.req.valid("query");
  return sendCachedJson(c, await computeAnalytics(c.var.deps.db, c.var.services.cache, metric, id, range));
};
