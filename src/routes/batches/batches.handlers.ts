import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./batches.routes";

export const createBatch: RouteHandler<typeof routes.createBatch, AppEnv> = async (c) => {
  return c.json(await c.var.services.batches.create(c.var.principal, c.req.valid("json")), 201);
};

export const listBatches: RouteHandler<typeof routes.listBatches, AppEnv> = async (c) => {
  const batches = await c.var.services.batches.list(c.var.principal, c.req.valid("query").limit);
  return c.json({ batches }, 200);
};

export const getBatch: RouteHandler<typeof routes.getBatch, AppEnv> = async (c) => {
  return c.json(await c.var.services.batches.show(c.var.principal, c.req.valid("param").id), 200);
};

export const cancelBatch: RouteHandler<typeof routes.cancelBatch, AppEnv> = async (c) => {
  return c.json(await c.var.services.batches.cancel(c.var.principal, c.req.valid("param").id), 200);
};
