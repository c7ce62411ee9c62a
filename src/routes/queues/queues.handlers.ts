import type { RouteHandler } from "@hono/zod-openapi";
import { authorize, authorizePlatform } from "../../auth/policy";
import type { AppEnv } from "../../kernel/app-env";
import { monitoringScope } from "../../services/monitoring/monitoring-scope";
import type * as routes from "./queues.routes";

export const getOverview: RouteHandler<typeof routes.getOverview, AppEnv> = async (c) => {
  const scope = monitoringScope(c.var.principal, "queue:view");
  return c.json(await c.var.services.monitoring.overview(scope), 200);
};

export const getMetrics: RouteHandler<typeof routes.getMetrics, AppEnv> = async (c) => {
  const scope = monitoringScope(c.var.principal, "queue:view");
  return c.json(await c.var.services.monitoring.metrics(scope, c.req.valid("query")), 200);
};

export const listJobs: RouteHandler<typeof routes.listJobs, AppEnv> = async (c) => {
  const { restaurantId, ...query } = c.req.valid("query");
  const scope = monitoringScope(c.var.principal, "queue:view", restaurantId);
  return c.json(await c.var.services.monitoring.listJobs(scope, query), 200);
};

export const getJob: RouteHandler<typeof routes.getJob, AppEnv> = async (c) => {
  const scope = monitoringScope(c.var.principal, "queue:view");
  const { principal } = c.var;
  return c.json(await c.var.services.monitoring.job(scope, c.req.valid("param").id, { admin: principal.isAdmin }), 200);
};

export const listPending: RouteHandler<typeof routes.listPending, AppEnv> = async (c) => {
  const { restaurantId, ...query } = c.req.valid("query");
  const scope = monitoringScope(c.var.principal, "queue:view", restaurantId);
  return c.json(await c.var.services.monitoring.pending(scope, query), 200);
};

export const listWorkers: RouteHandler<typeof routes.listWorkers, AppEnv> = async (c) => {
  const scope = monitoringScope(c.var.principal, "queue:view");
  return c.json(await c.var.services.monitoring.workers(scope), 200);
};

export const pauseQueue: RouteHandler<typeof routes.pauseQueue, AppEnv> = async (c) => {
  authorizePlatform(c.var.principal, "queue:pause");
  return c.json(await c.var.services.monitoring.setPaused(c.req.valid("param").queue, true), 200);
};

export const resumeQueue: RouteHandler<typeof routes.resumeQueue, AppEnv> = async (c) => {
  authorizePlatform(c.var.principal, "queue:pause");
  return c.json(await c.var.services.monitoring.setPaused(c.req.valid("param").queue, false), 200);
};

export const getPosConnections: RouteHandler<typeof routes.getPosConnections, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "queue:view", id);
  return c.json(await c.var.services.monitoring.posConnections(id), 200);
};
