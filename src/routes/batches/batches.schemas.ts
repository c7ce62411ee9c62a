import { z } from "@hono/zod-openapi";
import { dbId } from "../../http/schemas";

const epochMs = z.number().int().openapi({ description: "Unix time in milliseconds" });

export const batchRequestSchema = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("sync-all-restaurants"),
        what: z.enum(["menu", "inventory"]),
      })
      .strict()
      .openapi({ description: "Pull the menu or the inventory of every restaurant with an active POS (admins)" }),
    z
      .object({ kind: z.literal("resync-restaurant"), restaurantId: dbId })
      .strict()
      .openapi({ description: "Pull everything (menu and inventory) of one restaurant from its POS (owners, admins)" }),
  ])
  .openapi("BatchRequest");

export const batchSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string().openapi({ example: "resync-restaurant" }),
    restaurantId: z.number().int().nullable().openapi({ description: "Null for a platform-wide batch" }),
    total: z.number().int(),
    pending: z.number().int(),
    processed: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int().openapi({ description: "Jobs not run because the batch was cancelled" }),
    progress: z.number().min(0).max(1).openapi({ description: "Share of jobs that ended, 0..1" }),
    failedJobIds: z.array(z.string()),
    allowFailures: z.boolean(),
    createdAt: epochMs,
    cancelledAt: epochMs.nullable(),
    finishedAt: epochMs.nullable(),
  })
  .openapi("JobBatch");

export const batchListSchema = z.object({ batches: z.array(batchSchema) }).openapi("JobBatches");

export const batchListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const batchIdParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a batch id is 1-64 letters, digits, _ or -")
    .openapi({ param: { name: "id", in: "path" } }),
});
