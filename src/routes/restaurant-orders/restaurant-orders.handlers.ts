import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./restaurant-orders.routes";

export const listOrders: RouteHandler<typeof routes.listOrders, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "orders:view", id);
  const { page, pageSize, ...filters } = c.req.valid("query");
  return c.json(await c.var.services.orders.listForRestaurant(id, filters, page, pageSize), 200);
};

export const exportOrders: RouteHandler<typeof routes.exportOrders, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "orders:view", id);
  const stream = await c.var.services.orders.exportForRestaurant(id, c.req.valid("query"));
  return c.body(stream, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="restaurant-${id}-orders.csv"`,
  });
};
