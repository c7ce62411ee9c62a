import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../kernel/app-env";
import { getOrderFor, createOrder as placeOrder, shapeOrder } from "../../services/orders/orders";
import { recordPayment } from "../../services/orders/payments";
import type * as routes from "./orders.routes";

export const createOrder: RouteHandler<typeof routes.createOrder, AppEnv> = async (c) => {
  const key = c.req.valid("header")["idempotency-key"];
  const { order, replayed } = await placeOrder(
    c.var.deps.db,
    c.var.principal,
    c.req.valid("json"),
    key,
    c.var.services.posDispatch,
  );
  if (replayed) {
    c.header("Idempotent-Replayed", "true");
    return c.json(order, 200);
  }
  return c.json(order, 201);
};

export const getOrder: RouteHandler<typeof routes.getOrder, AppEnv> = async (c) => {
  const order = await getOrderFor(c.var.deps.db, c.var.principal, c.req.valid("param").id, "orders:view");
  return c.json(shapeOrder(order), 200);
};

export const createPayment: RouteHandler<typeof routes.createPayment, AppEnv> = async (c) => {
  const key = c.req.valid("header")["idempotency-key"];
  const result = await recordPayment(
    c.var.deps.db,
    c.var.principal,
    c.req.valid("param").id,
    c.req.valid("json"),
    key,
    c.var.services.posDispatch,
  );
  const payment = result.order.payments.find((p) => p.id === result.paymentId);
  if (!payment) throw new Error("recorded payment missing from its order");
  if (result.replayed) {
    c.header("Idempotent-Replayed", "true");
    return c.json({ payment, order: result.order }, 200);
  }
  return c.json({ payment, order: result.order }, 201);
};
