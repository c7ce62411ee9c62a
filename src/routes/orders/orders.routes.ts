import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { bearerSecurity, errorResponses, errorSchema, idParams, jsonContent } from "../../http/schemas";
import {
  createOrderBodySchema,
  createPaymentBodySchema,
  idempotencyHeaders,
  orderSchema,
  paymentSchema,
} from "./orders.schemas";

const tags = ["Orders"];
const more = {
  409: jsonContent(errorSchema, "The Idempotency-Key was used with another body, or nothing is left to pay"),
  422: jsonContent(errorSchema, "The order cannot be placed as asked (unknown or unavailable item, closed branch, …)"),
};

export const createOrder = createRoute({
  operationId: "createOrder",
  method: "post",
  path: "/v1/orders",
  tags,
  summary: "Place an order (totals are computed on the server)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    headers: idempotencyHeaders,
    body: { content: { "application/json": { schema: createOrderBodySchema } }, required: true },
  },
  responses: {
    201: jsonContent(orderSchema, "The new order"),
    200: jsonContent(orderSchema, "The same request was made before: the order it created"),
    ...errorResponses,
    ...more,
  },
});

export const getOrder = createRoute({
  operationId: "getOrder",
  method: "get",
  path: "/v1/orders/{id}",
  tags,
  summary: "One order (its customer, or the restaurant's staff and above)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams },
  responses: { 200: jsonContent(orderSchema, "The order"), ...errorResponses },
});

export const createPayment = createRoute({
  operationId: "createPayment",
  method: "post",
  path: "/v1/orders/{id}/payments",
  tags,
  summary: "Record a payment against an order",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: idParams,
    headers: idempotencyHeaders,
    body: { content: { "application/json": { schema: createPaymentBodySchema } }, required: true },
  },
  responses: {
    201: jsonContent(z.object({ payment: paymentSchema, order: orderSchema }).openapi("PaymentResult"), "Recorded"),
    200: jsonContent(z.object({ payment: paymentSchema, order: orderSchema }), "A replay of an earlier request"),
    ...errorResponses,
    ...more,
  },
});
