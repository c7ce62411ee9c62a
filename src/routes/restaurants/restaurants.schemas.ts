import { z } from "@hono/zod-openapi";
import { createSelectSchema } from "drizzle-zod";
import { branches, loyaltyRules, menuCategories, menuItems, restaurants } from "../../../db/schema";
import { dbIdParam } from "../../http/schemas";
import { publicRuleColumns } from "../../services/loyalty/loyalty-rule-columns";
import { restaurantConfigSchema } from "../../services/restaurants/restaurant-config";

export const restaurantSummarySchema = createSelectSchema(restaurants)
  .pick({ id: true, name: true, slug: true, timezone: true, currency: true })
  .openapi("RestaurantSummary");

export const branchSchema = createSelectSchema(branches).pick({ id: true, name: true, address: true });

export const restaurantDetailSchema = restaurantSummarySchema
  .extend({ branches: z.array(branchSchema) })
  .openapi("Restaurant");

export const restaurantPageSchema = z
  .object({
    data: z.array(restaurantSummarySchema),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  })
  .openapi("RestaurantPage");

export const paginationQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const menuItemSchema = createSelectSchema(menuItems).pick({
  id: true,
  name: true,
  description: true,
  priceCents: true,
  available: true,
  branchId: true,
});

export const menuSchema = z
  .object({
    restaurantId: z.number().int(),
    branchId: z.number().int().nullable(),
    currency: z.string(),
    categories: z.array(
      createSelectSchema(menuCategories)
        .pick({ id: true, name: true, position: true })
        .extend({ items: z.array(menuItemSchema) }),
    ),
  })
  .openapi("Menu");

export const categoriesSchema = z
  .object({
    restaurantId: z.number().int(),
    categories: z.array(createSelectSchema(menuCategories).pick({ id: true, name: true, position: true })),
  })
  .openapi("Categories");

export const menuQuery = z.object({
  branchId: dbIdParam.optional().openapi({ description: "Show one branch's menu" }),
});

export const loyaltyRulesSchema = z
  .object({
    restaurantId: z.number().int(),
    rules: z.array(createSelectSchema(loyaltyRules).pick(publicRuleColumns)),
  })
  .openapi("LoyaltyRules");

export const restaurantConfigResponseSchema = z
  .object({
    restaurantId: z.number().int(),
    timezone: z.string(),
    currency: z.string(),
    config: restaurantConfigSchema,
    updatedAt: z.string(),
  })
  .openapi("RestaurantConfigResponse");

export const availabilityParams = z.object({
  id: dbIdParam.openapi({ param: { name: "id", in: "path" }, example: 1 }),
  branchId: dbIdParam.openapi({ param: { name: "branchId", in: "path" }, example: 1 }),
  itemId: dbIdParam.openapi({ param: { name: "itemId", in: "path" }, example: 1 }),
});

export const availabilityBodySchema = z.strictObject({ available: z.boolean() }).openapi("BranchAvailabilityUpdate");

export const branchAvailabilitySchema = z
  .object({
    restaurantId: z.number().int(),
    branchId: z.number().int(),
    menuItemId: z.number().int(),
    available: z.boolean(),
  })
  .openapi("BranchAvailability");

export const restaurantConfigUpdateSchema = restaurantConfigSchema.strict();
