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

/**
 * Reads stored config leniently, field by field: unknown keys are dropped and
 * a missing or malformed field takes its default, so one bad value written by
 * an older version cannot take a restaurant's ordering down.
 */
export function readRestaurantConfig(stored: unknown): RestaurantConfig {
  const source = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
  const fields = restaurantConfigSchema.shape;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
    const parsed = fields[key].safeParse(source[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  return restaurantConfigSchema.parse(out);
}
