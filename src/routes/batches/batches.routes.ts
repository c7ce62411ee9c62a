import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { bearerSecurity, errorResponses, errorSchema, jsonContent, queueUnavailableResponse } from "../../http/schemas";
import { batchIdParams, batchListQuery, batchListSchema, batchRequestSchema, batchSchema } from "./batches.schemas";

const base = { tags: ["Batches"], security: bearerSecurity };
const view =
  "Owners and managers see their restaurants' batches; platform-wide batches exist only for admins (404 for anyone else).";

export const createBatch = createRoute({
  operationId: "createJobBatch",
  ...base,
  middleware: [requireAuth()] as const,
  method: "post",
  path: "/v1/admin/batches",
  summary: "Start a POS sync batch: every restaurant's menu or inventory (admins), or one restaurant's resync (owners)",
  request: { body: { content: { "application/json": { schema: batchRequestSchema } }, required: true } },
  responses: {
    201: jsonContent(batchSchema, "The batch, dispatched"),
    ...errorResponses,
    422: jsonContent(errorSchema, "No active POS connection to sync (`nothing_to_sync`)"),
    ...queueUnavailableResponse,
  },
});

export const listBatches = createRoute({
  operationId: "listJobBatches",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/batches",
  summary: "Batches, newest first, with their progress",
  description: view,
  request: { query: batchListQuery },
  responses: { 200: jsonContent(batchListSchema, "The batches"), ...errorResponses },
});

export const getBatch = createRoute({
  operationId: "getJobBatch",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/batches/{id}",
  summary: "One batch with its progress (from job_batches once Redis no longer holds it)",
  description: view,
  request: { params: batchIdParams },
  responses: { 200: jsonContent(batchSchema, "The batch"), ...errorResponses },
});

export const cancelBatch = createRoute({
  operationId: "cancelJobBatch",
  ...base,
  middleware: [requireAuth()] as const,
  method: "post",
  path: "/v1/admin/batches/{id}/cancel",
  summary: "Cancel a batch: its jobs that have not started are skipped (owners, admins; idempotent)",
  request: { params: batchIdParams },
  responses: { 200: jsonContent(batchSchema, "The batch, cancelled (or already finished)"), ...errorResponses },
});
