import { z } from "@hono/zod-openapi";
import { dbId } from "../../http/schemas";
import { jobName, queueName, restaurantIdQuery } from "../queues/queues.schemas";

const instant = z.iso
  .datetime({ offset: true })
  .transform((v) => Date.parse(v))
  .openapi({ type: "string", format: "date-time", example: "2026-11-27T10:00:00Z" });

const filterFields = {
  queue: queueName.optional(),
  name: jobName.optional(),
  restaurantId: restaurantIdQuery,
  from: instant.optional().openapi({ description: "Failed at or after" }),
  to: instant.optional().openapi({ description: "Failed at or before" }),
};

const ordered = (f: { from?: number; to?: number }) => f.from === undefined || f.to === undefined || f.from <= f.to;
const orderMessage = { message: "from must not be after to", path: ["from"] };

export const failedListQuery = z
  .object({
    ...filterFields,
    limit: z.coerce.number().int().min(1).max(100).default(25),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .refine(ordered, orderMessage);

/** Which failed jobs a bulk retry or a clear touches; empty means all the caller may manage. */
export const failedFilterQuery = z.object(filterFields).refine(ordered, orderMessage);

export const failedFilterBody = z
  .strictObject({
    ...filterFields,
    restaurantId: dbId.optional().openapi({ description: "Only this restaurant's jobs" }),
  })
  .refine(ordered, orderMessage)
  .openapi("FailedJobFilter");

export const failedJobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    queue: z.string(),
    restaurantId: z.number().int().nullable(),
    attempts: z.number().int(),
    reason: z.enum(["exhausted", "non-retryable", "invalid-payload", "unknown-job", "poison"]),
    error: z.string(),
    stack: z.string().nullable().openapi({ description: "Admins only (null for others)" }),
    failedAt: z.number().openapi({ description: "Milliseconds since the epoch" }),
    payload: z.unknown(),
  })
  .openapi("FailedJob");

export const failedPageSchema = z
  .object({
    jobs: z.array(failedJobSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi("FailedJobPage");

export const retriedSchema = z
  .object({ retried: z.number().int(), jobIds: z.array(z.string()).optional() })
  .openapi("FailedJobsRetried");
export const deletedSchema = z.object({ deleted: z.number().int() }).openapi("FailedJobsDeleted");
