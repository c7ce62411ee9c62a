import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { byUser, rateLimit } from "../../http/rate-limit";
import { bearerSecurity, errorResponses, errorSchema, jsonContent, queueUnavailableResponse } from "../../http/schemas";
import { jobIdParams } from "../queues/queues.schemas";
import {
  deletedSchema,
  failedFilterBody,
  failedFilterQuery,
  failedListQuery,
  failedPageSchema,
  retriedSchema,
} from "./failed-jobs.schemas";

const tags = ["Queue monitoring"];
const base = { tags, security: bearerSecurity };
const manage = "Owners (their restaurants' jobs only) and admins; managers get a 403.";

export const listFailed = createRoute({
  operationId: "listFailedJobs",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/failed",
  summary: "Failed jobs with reason and stack, newest first; filter by queue, job, restaurant and time",
  description: "Owners, managers (their restaurants' jobs only) and admins.",
  request: { query: failedListQuery },
  responses: { 200: jsonContent(failedPageSchema, "A page of failed jobs"), ...errorResponses },
});

export const retryFailed = createRoute({
  operationId: "retryFailedJob",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "post",
  path: "/v1/admin/queues/failed/{id}/retry",
  summary: "Retry one failed job (fresh tries, same id)",
  description: `${manage} Another restaurant's job is a 404.`,
  request: { params: jobIdParams },
  responses: {
    200: jsonContent(retriedSchema, "Re-dispatched"),
    ...errorResponses,
    409: jsonContent(errorSchema, "A copy of the job is already queued"),
    ...queueUnavailableResponse,
  },
});

export const retryMatching = createRoute({
  operationId: "retryFailedJobs",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "post",
  // Was /v1/admin/queues/failed/retry, which still works (src/http/legacy-paths.ts).
  path: "/v1/admin/queues/retry-failed",
  summary: "Retry every failed job matching a filter (all the caller may manage when empty)",
  description: manage,
  request: { body: { content: { "application/json": { schema: failedFilterBody } }, required: true } },
  responses: {
    200: jsonContent(retriedSchema, "How many were re-dispatched"),
    ...errorResponses,
    ...queueUnavailableResponse,
  },
});

export const deleteFailed = createRoute({
  operationId: "deleteFailedJob",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "delete",
  path: "/v1/admin/queues/failed/{id}",
  summary: "Delete one failed job",
  description: `${manage} Another restaurant's job is a 404.`,
  request: { params: jobIdParams },
  responses: { 200: jsonContent(deletedSchema, "Deleted"), ...errorResponses },
});

export const clearFailed = createRoute({
  operationId: "clearFailedJobs",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "delete",
  path: "/v1/admin/queues/failed",
  summary: "Clear failed jobs matching a filter: for an owner, only their restaurants' jobs",
  description: manage,
  request: { query: failedFilterQuery },
  responses: { 200: jsonContent(deletedSchema, "How many were deleted"), ...errorResponses },
});
