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
} as const;

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** `{id}` in a path: a positive integer. */
export const idParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const bearerSecurity = [{ bearerAuth: [] }];
