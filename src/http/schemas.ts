import { z } from "@hono/zod-openapi";

/** The one error body every route answers with. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: errorSchema } },
  description,
});

export const errorResponses = {
  400: errorResponse("Invalid input"),
  401: errorResponse("Missing or invalid bearer token"),
  403: errorResponse("Not allowed"),
  404: errorResponse("Not found"),
  429: errorResponse(
    "Too many requests (failed authentications from this address, or a per-user limit); see Retry-After",
  ),
} as const;

/** A route that dispatches a job answers this when Redis does not take it (`queue_unavailable`). */
export const queueUnavailableResponse = { 503: errorResponse("Redis did not take the job; retry later") } as const;

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** Largest value of a Postgres `integer` column: a bigger id cannot exist, so it is bad input. */
export const MAX_DB_ID = 2_147_483_647;

/** An id in a JSON body. */
export const dbId = z.number().int().min(1).max(MAX_DB_ID, `an id is at most ${MAX_DB_ID}`);

/** An id in a path or a query string. */
export const dbIdParam = z.coerce.number().int().min(1).max(MAX_DB_ID, `an id is at most ${MAX_DB_ID}`);

/** `{id}` in a path: a positive integer. */
export const idParams = z.object({
  id: dbIdParam.openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

/** A signed-in user's bearer JWT (the `bearerAuth` scheme). */
export const bearerSecurity = [{ bearerAuth: [] }];

/** Anyone may call it: no credentials (said explicitly, so the document never leaves it open to doubt). */
export const publicSecurity: Array<Record<string, string[]>> = [];

/** `GET /metrics`: its own bearer token, METRICS_TOKEN (the `metricsToken` scheme), never a user's JWT. */
export const metricsSecurity = [{ metricsToken: [] }];
