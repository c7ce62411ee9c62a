import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../kernel/app-env";
import { AppError } from "../../kernel/app-error";
import { shapeOrder } from "../../services/orders/orders";
import type * as routes from "./orders.routes";

export const createOrder: RouteHandler<typeof routes.createOrder, AppEnv> = async (c) => {
  const key = c.req.valid("header")["idempotency-key"];
  const { order, replayed } = await c.var.services.orders.place(c.var.principal, c.req.valid("json"), key);
  if (replayed) {
    c.header("Idempotent-Replayed", "true");
    return c.json(order, 200);
  }
  return c.json(order, 201);
};

export const getOrder: RouteHandler<typeof routes.getOrder, AppEnv> = async (c) => {
  const order = await c.var.services.orders.get(c.var.principal, c.req.valid("param").id);
  return c.json(shapeOrder(order), 200);
};

export const createPayment: RouteHandler<typeof routes.createPayment, AppEnv> = async (c) => {
  const key = c.req.valid("header")["idempotency-key"];
  const result = await c.var.services.orders.pay(c.var.principal, c.req.valid("param").id, c.req.valid("json"), key);
  const payment = result.order.payments.find((p) => p.id === result.paymentId);
  if (!payment) throw new Error("recorded payment missing from its order");
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  if (payment.status === "failed") {
    throw new AppError(402, "payment_declined", "the payment provider declined the payment", {
      paymentId: payment.id,
      providerCode: payment.failureCode,
    });
  }
  if (payment.status === "pending") return c.json({ payment, order: result.order }, 202);
  return c.json({ payment, order: result.order }, result.replayed ? 200 : 201);
};

export const cancelOrder: RouteHandler<typeof routes.cancelOrder, AppEnv> = async (c) => {
  const { order, alreadyCancelled } = await c.var.services.orders.cancel(
    c.var.principal,
    c.req.valid("param").id,
    c.req.valid("json") ?? {},
  );
  if (alreadyCancelled) c.header("Idempotent-Replayed", "true");
  return c.json(order, 200);
};
