import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { byUser, rateLimit } from "../../http/rate-limit";
import { bearerSecurity, errorResponses, errorSchema, jsonContent } from "../../http/schemas";
import {
  cacheStatsSchema,
  invalidateBodySchema,
  invalidateResultSchema,
  warmUpBodySchema,
  warmUpResultSchema,
} from "./admin-cache.schemas";

const tags = ["Cache"];
const unavailable = { 503: jsonContent(errorSchema, "Redis is unavailable") };
const jsonBody = <T extends typeof warmUpBodySchema | typeof invalidateBodySchema>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

export const getStats = createRoute({
  operationId: "getCacheStats",
  method: "get",
  path: "/v1/admin/cache/stats",
  tags,
  summary: "Hits, misses and hit rate per key family, key counts and Redis memory (admins and owners)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonContent(cacheStatsSchema, "Cache statistics"), ...errorResponses, ...unavailable },
});

export const warmUp = createRoute({
  operationId: "warmUpCache",
  method: "post",
  path: "/v1/admin/cache/warm-up",
  tags,
  summary: "Compute and store a restaurant's client reads (its owner), or every restaurant's (admins)",
  security: bearerSecurity,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  request: jsonBody(warmUpBodySchema),
  responses: { 200: jsonContent(warmUpResultSchema, "What was warmed"), ...errorResponses, ...unavailable },
});

export const invalidate = createRoute({
  operationId: "invalidateCache",
  method: "post",
  path: "/v1/admin/cache/invalidate",
  tags,
  summary: "Invalidate by restaurant and/or key family (a restaurant's owner; across restaurants: admins)",
  security: bearerSecurity,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  request: jsonBody(invalidateBodySchema),
  responses: { 200: jsonContent(invalidateResultSchema, "What was invalidated"), ...errorResponses },
});
