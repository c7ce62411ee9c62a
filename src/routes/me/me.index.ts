import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { createRouter } from "../../http/create-router";
import { bearerSecurity, errorResponses, jsonContent } from "../../http/schemas";

const meSchema = z
  .object({
    user: z.object({ id: z.number().int(), email: z.string(), name: z.string(), isAdmin: z.boolean() }),
    memberships: z.array(z.object({ restaurantId: z.number().int(), role: z.enum(["owner", "manager", "staff"]) })),
  })
  .openapi("Me");

const getMe = createRoute({
  operationId: "getMe",
  method: "get",
  path: "/v1/me",
  tags: ["Auth"],
  summary: "The signed-in user and their restaurant roles",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonContent(meSchema, "The user"), 401: errorResponses[401] },
});

const meLoyaltySchema = z
  .object({ points: z.number().int().openapi({ description: "Points earned minus points spent on rewards" }) })
  .openapi("MeLoyalty");

const getMyLoyalty = createRoute({
  operationId: "getMyLoyalty",
  method: "get",
  path: "/v1/me/loyalty",
  tags: ["Loyalty"],
  summary: "The signed-in customer's loyalty points (spend them with `redeemRewardId` on an order)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonContent(meLoyaltySchema, "The balance"), 401: errorResponses[401] },
});

export const meRouter = createRouter()
  .openapi(getMyLoyalty, async (c) => c.json(await c.var.services.orders.loyaltyBalance(c.var.principal), 200))
  .openapi(getMe, (c) => {
    const p = c.var.principal;
    return c.json(
      {
        user: { id: p.userId, email: p.email, name: p.name, isAdmin: p.isAdmin },
        memberships: p.memberships.map((m) => ({ restaurantId: m.restaurantId, role: m.role })),
      },
      200,
    );
  });
