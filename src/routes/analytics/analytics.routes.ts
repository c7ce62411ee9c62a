import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { etagHeaders, notModifiedResponse } from "../../http/cached-json";
import { bearerSecurity, errorResponses, jsonContent } from "../../http/schemas";
import { analyticsParams, analyticsQuery, analyticsSchema } from "./analytics.schemas";

export const getAnalytics = createRoute({
  operationId: "getAnalytics",
  method: "get",
  path: "/v1/restaurants/{id}/analytics/{metric}",
  tags: ["Analytics"],
  summary: "Orders, customers, menu or delivery figures over a range of days (owners, managers, admins)",
  description: "Computed in SQL and cached for 10 minutes per restaurant, metric and range.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: analyticsParams, query: analyticsQuery },
  responses: {
    200: { ...jsonContent(analyticsSchema, "The figures"), headers: etagHeaders },
    ...notModifiedResponse,
    ...errorResponses,
  },
});
