import { z } from "@hono/zod-openapi";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM (24 h)");
const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

/** A restaurant's operational settings, stored in `restaurants.config`. */
export const restaurantConfigSchema = z
  .object({
    taxRateBps: z.number().int().min(0).max(3000).default(0).openapi({ description: "Tax in basis points" }),
    deliveryFeeCents: z.number().int().min(0).max(10_000).default(0),
    minimumOrderCents: z.number().int().min(0).max(1_000_000).default(0),
    acceptingOrders: z.boolean().default(true),
    prepTimeMinutes: z.number().int().min(1).max(240).default(20),
    openingHours: z.partialRecord(weekday, z.object({ open: hhmm, close: hhmm })).default({}),
  })
  .openapi("RestaurantConfig");

export type RestaurantConfig = z.infer<typeof restaurantConfigSchema>;

/** Reads stored config leniently: unknown keys are dropped, missing ones take defaults. */
export function readRestaurantConfig(stored: unknown): RestaurantConfig {
  const parsed = restaurantConfigSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : restaurantConfigSchema.parse({});
}
