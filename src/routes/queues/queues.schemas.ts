import { z } from "@hono/zod-openapi";
import { dbIdParam } from "../../http/schemas";

/** Names as the queue library allows them; unknown ones are refused by the service with a 400. */
export const queueName = z
  .string()
  .regex(/^[a-z0-9_-]{1,40}$/, "a queue name: lowercase letters, digits, '_' or '-'")
  .openapi({ example: "high" });
export const jobName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "a job name")
  .openapi({ example: "OrderSyncToPOS" });
export const jobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, "a job id (letters, digits, '_' or '-')")
  .openapi({ example: "3f0c2a4e-5b7d-4c51-9d1e-1f2a3b4c5d6e" });
export const restaurantIdQuery = dbIdParam
  .optional()
  .openapi({ description: "Only this restaurant's jobs", example: 1 });
const epochMs = z.number().openapi({ description: "Milliseconds since the epoch" });

export const queueParams = z.object({ queue: queueName.openapi({ param: { name: "queue", in: "path" } }) });
export const jobIdParams = z.object({ id: jobId.openapi({ param: { name: "id", in: "path" } }) });

const shardDepthSchema = z.object({
  shard: z.number().int(),
  waiting: z.number().int(),
  inFlight: z.number().int(),
  delayed: z.number().int(),
});

export const queueOverviewSchema = z
  .object({
    queue: z.string(),
    paused: z.boolean(),
    waiting: z.number().int(),
    inFlight: z.number().int(),
    delayed: z.number().int(),
    failed: z.number().int(),
    oldestWaitingMs: z.number().nullable(),
    longWait: z.boolean(),
    processedLastMinute: z.number().int().openapi({ description: "In the minute buckets overlapping the last 60 s" }),
    failedLastMinute: z.number().int(),
    processedLastHour: z.number().int(),
    failedLastHour: z.number().int(),
    workers: z.number().int().openapi({ description: "Live workers serving this queue" }),
    shards: z.array(shardDepthSchema),
  })
  .openapi("QueueOverview");

export const overviewSchema = z
  .object({
    status: z.enum(["ok", "degraded"]).openapi({
      description:
        "degraded: jobs wait that no live worker serves, a paused queue, a long wait or a dead worker (see reasons)",
    }),
    reasons: z.array(z.string()).openapi({
      description: "Why the status is degraded, most urgent first; empty when ok",
      example: ["no live worker serves high (3 waiting)"],
    }),
    scope: z.union([z.literal("all"), z.array(z.number().int())]).openapi({
      description: "`all` for admins, else the restaurants whose jobs are counted",
    }),
    queues: z.array(queueOverviewSchema),
    generatedAt: epochMs,
  })
  .openapi("QueuesOverview");

export const metricsQuery = z.object({
  range: z
    .enum(["hour", "day"])
    .default("hour")
    .openapi({ description: "hour: 1-minute points; day: 15-minute points" }),
  queue: queueName.optional(),
  job: jobName.optional(),
});

const metricsPointSchema = z.object({
  at: epochMs,
  processed: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
  throughputPerMinute: z.number(),
  successRate: z.number().nullable(),
  runtimeP50Ms: z.number().nullable(),
  runtimeP95Ms: z.number().nullable(),
  waitP50Ms: z.number().nullable(),
  waitP95Ms: z.number().nullable(),
});

const metricsSummarySchema = z.object({
  processed: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
  successRate: z.number().nullable(),
  runtimeAvgMs: z.number().nullable(),
  runtimeP50Ms: z.number().nullable(),
  runtimeP95Ms: z.number().nullable(),
  waitAvgMs: z.number().nullable(),
  waitP50Ms: z.number().nullable(),
  waitP95Ms: z.number().nullable(),
});

const metricsSeriesSchema = z.object({
  queue: z.string(),
  job: z.string().nullable().openapi({ description: "Null for a whole queue's series" }),
  points: z.array(metricsPointSchema),
  summary: metricsSummarySchema,
});

export const metricsSchema = z
  .object({
    range: z.enum(["hour", "day"]),
    from: epochMs,
    to: epochMs,
    bucketMs: z.number().int(),
    queues: z.array(metricsSeriesSchema),
    jobs: z.array(metricsSeriesSchema),
  })
  .openapi("QueueMetrics", {
    description: "Percentiles are the upper bound of the histogram bucket holding them (at most 300 000 ms).",
  });

export const jobStates = ["waiting", "in-flight", "delayed"] as const;

export const jobsQuery = z.object({
  state: z.enum(jobStates),
  queue: queueName.optional(),
  name: jobName.optional(),
  restaurantId: restaurantIdQuery,
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(1900).default(0),
});

export const jobSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    queue: z.string(),
    shard: z.number().int().nullable().openapi({ description: "Null for failed jobs (they left their shard)" }),
    state: z.enum([...jobStates, "failed"]),
    restaurantId: z.number().int().nullable(),
    attempts: z.number().int(),
    createdAt: epochMs,
    availableAt: epochMs,
    lastError: z.string().nullable(),
    dueAt: epochMs.nullable(),
    consumer: z.string().nullable(),
    idleMs: z.number().nullable(),
    deliveries: z.number().int().nullable(),
  })
  .openapi("JobSummary");

export const jobPageSchema = z
  .object({ jobs: z.array(jobSummarySchema), limit: z.number().int(), offset: z.number().int(), hasMore: z.boolean() })
  .openapi("JobPage");

export const failureSchema = z.object({
  reason: z.enum(["exhausted", "non-retryable", "invalid-payload", "unknown-job", "poison"]),
  error: z.string(),
  stack: z.string().nullable(),
  failedAt: epochMs,
});

export const jobDetailSchema = jobSummarySchema
  .extend({ payload: z.unknown(), failure: failureSchema.nullable() })
  .openapi("JobDetail");

export const pendingQuery = z.object({
  queue: queueName.optional(),
  restaurantId: restaurantIdQuery,
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const pendingSchema = z
  .object({
    entries: z.array(
      z.object({
        entryId: z.string(),
        jobId: z.string().nullable(),
        name: z.string().nullable(),
        restaurantId: z.number().int().nullable(),
        queue: z.string(),
        shard: z.number().int(),
        consumer: z.string(),
        idleMs: z.number(),
        deliveries: z.number().int(),
        stalled: z.boolean(),
      }),
    ),
  })
  .openapi("PendingEntries");

export const workersSchema = z
  .object({
    workers: z.array(
      z.object({
        id: z.string(),
        host: z.string(),
        pid: z.number().int(),
        state: z.enum(["starting", "running", "draining", "stopped"]),
        alive: z.boolean(),
        dead: z.boolean(),
        heartbeatAgeMs: z.number(),
        queues: z.array(z.string()),
        concurrency: z.number().int(),
        startedAt: epochMs,
        inFlight: z
          .array(z.object({ jobId: z.string(), name: z.string(), queue: z.string(), startedAt: epochMs }))
          .openapi({ description: "For owners and managers, only their restaurants' jobs" }),
        processed: z
          .number()
          .int()
          .nullable()
          .openapi({ description: "Null unless admin: it counts every restaurant" }),
        failed: z.number().int().nullable(),
      }),
    ),
  })
  .openapi("Workers");

export const pausedSchema = z.object({ queue: z.string(), paused: z.boolean() }).openapi("QueuePaused");

export const posConnectionsSchema = z
  .object({
    restaurantId: z.number().int(),
    connections: z.array(
      z.object({
        posType: z.enum(["square", "toast", "local"]),
        state: z.enum(["closed", "open", "half_open"]),
        failures: z.number().int(),
        openedAt: epochMs.nullable(),
        lastError: z.string().nullable(),
        lastSuccessAt: epochMs.nullable(),
      }),
    ),
  })
  .openapi("PosConnections");
