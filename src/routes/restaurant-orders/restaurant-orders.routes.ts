import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { bearerSecurity, errorResponses, idParams, jsonContent } from "../../http/schemas";
import { orderFiltersQuery, orderListQuery, orderPageSchema } from "./restaurant-orders.schemas";

const tags = ["Orders"];

export const listOrders = createRoute({
  operationId: "listRestaurantOrders",
  method: "get",
  path: "/v1/restaurants/{id}/orders",
  tags,
  summary: "A restaurant's orders with their items, payments and delivery, newest first (staff and above)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams, query: orderListQuery },
  responses: { 200: jsonContent(orderPageSchema, "A page of orders"), ...errorResponses },
});

export const exportOrders = createRoute({
  operationId: "exportRestaurantOrders",
  method: "get",
  path: "/v1/restaurants/{id}/orders/export",
  tags,
  summary: "Every matching order as CSV, streamed in chunks (staff and above)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams, query: orderFiltersQuery },
  responses: {
    200: { content: { "text/csv": { schema: z.string() } }, description: "One line per order, oldest first" },
    ...errorResponses,
  },
});
