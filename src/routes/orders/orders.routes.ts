import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { byUser, rateLimit } from "../../http/rate-limit";
import { bearerSecurity, errorResponses, errorSchema, idParams, jsonContent } from "../../http/schemas";
import {
  cancelOrderBodySchema,
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
  middleware: [requireAuth(), rateLimit("orders", byUser)] as const,
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

const paymentResult = z.object({ payment: paymentSchema, order: orderSchema }).openapi("PaymentResult");

export const createPayment = createRoute({
  operationId: "createPayment",
  method: "post",
  path: "/v1/orders/{id}/payments",
  tags,
  summary: "Pay an order: a card through the payment provider, or cash / external recorded by staff",
  description:
    "A customer pays by card only (`sourceId` from the provider's client SDK); the payment is captured only when the provider confirms it. The restaurant's staff, managers and owners may record `cash` or `external` payments taken in person.",
  security: bearerSecurity,
  middleware: [requireAuth(), rateLimit("payments", byUser)] as const,
  request: {
    params: idParams,
    headers: idempotencyHeaders,
    body: { content: { "application/json": { schema: createPaymentBodySchema } }, required: true },
  },
  responses: {
    201: jsonContent(paymentResult, "Captured: the provider confirmed the charge, or staff recorded the payment"),
    202: jsonContent(paymentResult, "Pending: the provider has not answered yet; a job settles the payment"),
    200: jsonContent(paymentResult, "A replay of an earlier request that captured the payment"),
    ...errorResponses,
    402: jsonContent(errorSchema, "The provider declined the payment source (`payment_declined`, with its code)"),
    ...more,
    503: jsonContent(errorSchema, "No payment provider is configured (`payment_provider_unconfigured`)"),
  },
});

export const cancelOrder = createRoute({
  operationId: "cancelOrder",
  method: "post",
  path: "/v1/orders/{id}/cancel",
  tags,
  summary: "Cancel an order (its customer before it is accepted; the restaurant's staff and up until completed)",
  description:
    "Idempotent: cancelling a cancelled order answers it again (`Idempotent-Replayed: true`). The POS is told by " +
    "the OrderCancelToPOS job (`posCancelState`); captured payments are marked for refund (`refundRequestedAt`).",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: idParams,
    body: { content: { "application/json": { schema: cancelOrderBodySchema } }, required: false },
  },
  responses: {
    200: jsonContent(orderSchema, "The cancelled order"),
    ...errorResponses,
    422: jsonContent(errorSchema, "The order can no longer be cancelled by this user (order_not_cancellable)"),
  },
});
