import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { byUser, rateLimit } from "../../http/rate-limit";
import { bearerSecurity, errorResponses, idParams, jsonContent } from "../../http/schemas";
import {
  jobDetailSchema,
  jobIdParams,
  jobPageSchema,
  jobsQuery,
  metricsQuery,
  metricsSchema,
  overviewSchema,
  pausedSchema,
  pendingQuery,
  pendingSchema,
  posConnectionsSchema,
  queueParams,
  workersSchema,
} from "./queues.schemas";

const tags = ["Queue monitoring"];
const base = { tags, security: bearerSecurity };
const view = "Owners, managers (their restaurants' jobs only) and admins.";

export const getOverview = createRoute({
  operationId: "getQueuesOverview",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues",
  summary: "Every queue: depth, failed, last minute / hour, workers; overall status",
  description: view,
  responses: { 200: jsonContent(overviewSchema, "The overview"), ...errorResponses },
});

export const getMetrics = createRoute({
  operationId: "getQueueMetrics",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/metrics",
  summary: "Throughput, success rate, runtime and wait percentiles per queue and per job name",
  description: view,
  request: { query: metricsQuery },
  responses: { 200: jsonContent(metricsSchema, "The series"), ...errorResponses },
});

export const listJobs = createRoute({
  operationId: "listQueueJobs",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/jobs",
  summary: "Live jobs by state (waiting, in flight, delayed), filtered and paginated",
  description: `${view} At most the first 2000 matching jobs are paged through.`,
  request: { query: jobsQuery },
  responses: { 200: jsonContent(jobPageSchema, "A page of jobs"), ...errorResponses },
});

export const getJob = createRoute({
  operationId: "getQueueJob",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/jobs/{id}",
  summary: "One job wherever it is (stream, delayed, failed): payload, attempts, errors, timeline",
  description: `${view} Another restaurant's job is a 404. Error stacks are shown to admins only.`,
  request: { params: jobIdParams },
  responses: { 200: jsonContent(jobDetailSchema, "The job"), ...errorResponses },
});

export const listPending = createRoute({
  operationId: "listPendingEntries",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/pending",
  summary: "Pending entries (delivered, not acked): consumer, idle time, deliveries, stalled flag",
  description: view,
  request: { query: pendingQuery },
  responses: { 200: jsonContent(pendingSchema, "The entries"), ...errorResponses },
});

export const listWorkers = createRoute({
  operationId: "listQueueWorkers",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/workers",
  summary: "Workers: alive or dead, heartbeat age, host, pid, queues, concurrency, in-flight jobs",
  description: `${view} Live workers first; stopped and dead ones stay until their last heartbeat is older than WORKER_RETENTION_SECONDS.`,
  responses: { 200: jsonContent(workersSchema, "The workers"), ...errorResponses },
});

export const pauseQueue = createRoute({
  operationId: "pauseQueue",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "post",
  // Was /v1/admin/queues/{queue}/pause, which still works (src/http/legacy-paths.ts).
  path: "/v1/admin/queues/pause/{queue}",
  summary: "Pause a queue (admins: it stops the queue for every restaurant)",
  request: { params: queueParams },
  responses: { 200: jsonContent(pausedSchema, "Paused"), ...errorResponses },
});

export const resumeQueue = createRoute({
  operationId: "resumeQueue",
  ...base,
  middleware: [requireAuth(), rateLimit("monitoring-writes", byUser)] as const,
  method: "post",
  // Was /v1/admin/queues/{queue}/resume, which still works (src/http/legacy-paths.ts).
  path: "/v1/admin/queues/resume/{queue}",
  summary: "Resume a paused queue (admins)",
  request: { params: queueParams },
  responses: { 200: jsonContent(pausedSchema, "Resumed"), ...errorResponses },
});

export const getPosConnections = createRoute({
  operationId: "getPosConnections",
  ...base,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/admin/queues/restaurants/{id}/pos-connections",
  summary: "A restaurant's POS connections as the circuit breaker sees them",
  description: view,
  request: { params: idParams },
  responses: { 200: jsonContent(posConnectionsSchema, "The connections"), ...errorResponses },
});
