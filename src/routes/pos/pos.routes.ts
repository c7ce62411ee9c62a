import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireAuth } from "../../auth/require-auth";
import { clientIp, rateLimit } from "../../http/rate-limit";
import {
  bearerSecurity,
  errorResponses,
  errorSchema,
  idParams,
  jsonContent,
  publicSecurity,
  queueUnavailableResponse,
} from "../../http/schemas";
import type { AppEnv } from "../../kernel/app-env";

/** A webhook's source, known before its signature is checked: the vendor and the sender's address. */
const webhookSource = (c: Context<AppEnv>) => `${c.req.param("posType")}:${clientIp(c)}`;

export const webhookOutcomeSchema = z
  .object({
    status: z.enum(["accepted", "duplicate", "ignored"]),
    jobId: z.string().nullable().optional(),
    reason: z.string().optional(),
  })
  .openapi("WebhookOutcome");

export const posWebhook = createRoute({
  operationId: "receivePosWebhook",
  security: publicSecurity,
  method: "post",
  path: "/v1/webhooks/pos/{posType}",
  tags: ["POS"],
  summary: "Inbound POS webhook (signature-verified)",
  middleware: [rateLimit("webhooks", webhookSource)] as const,
  description:
    "Square: `x-square-hmacsha256-signature` (HMAC-SHA256 of notification URL + body, base64). Toast: `toast-signature`. " +
    "Local: `x-local-signature` (hex HMAC-SHA256 of the body). The raw JSON body is verified with the connection's webhook secret.",
  request: {
    params: z.object({
      posType: z.enum(["square", "toast", "local"]).openapi({ param: { name: "posType", in: "path" } }),
    }),
  },
  responses: {
    200: jsonContent(webhookOutcomeSchema, "Verified and handled (or a harmless duplicate)"),
    400: errorResponses[400],
    401: errorResponses[401],
    429: errorResponses[429],
    409: jsonContent(errorSchema, "The event names a POS order we do not know yet; the vendor should redeliver it"),
    503: jsonContent(errorSchema, "Could not queue the work; the vendor should retry"),
  },
});

export const syncMenu = createRoute({
  operationId: "syncMenuFromPos",
  method: "post",
  path: "/v1/restaurants/{id}/pos/sync-menu",
  tags: ["POS"],
  summary: "Pull the menu from the restaurant's POS (owners, managers, admins)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams },
  responses: {
    202: jsonContent(
      z.object({ jobId: z.string().nullable(), alreadyQueued: z.boolean() }).openapi("MenuSyncQueued"),
      "Queued (or one is already waiting)",
    ),
    ...errorResponses,
    422: jsonContent(errorSchema, "The restaurant has no active POS connection"),
    ...queueUnavailableResponse,
  },
});
