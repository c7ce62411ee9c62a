import { z } from "@hono/zod-openapi";
import { dbIdParam } from "../../http/schemas";
import { analyticsMetrics } from "../../services/analytics/analytics";

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export const analyticsParams = z.object({
  id: dbIdParam.openapi({ param: { name: "id", in: "path" }, example: 1 }),
  metric: z.enum(analyticsMetrics).openapi({ param: { name: "metric", in: "path" }, example: "orders" }),
});

/** `from`/`to`: local calendar days, inclusive; by default the 30 days ending today (UTC). */
export const analyticsQuery = z
  .object({
    from: z.iso.date().optional().openapi({ description: "First day (YYYY-MM-DD), inclusive", example: "2026-10-01" }),
    to: z.iso.date().optional().openapi({ description: "Last day (YYYY-MM-DD), inclusive", example: "2026-10-31" }),
  })
  .transform(({ from, to }) => {
    const last = to ?? isoDay(new Date());
    return { to: last, from: from ?? isoDay(new Date(Date.parse(last) - 29 * DAY_MS)) };
  })
  .refine(({ from, to }) => from <= to, { message: "from must not be after to", path: ["from"] })
  .refine(({ from, to }) => (Date.parse(to) - Date.parse(from)) / DAY_MS < MAX_DAYS, {
    message: `the range may span at most ${MAX_DAYS} days`,
    path: ["to"],
  });

const base = {
  restaurantId: z.number().int(),
  from: z.string(),
  to: z.string(),
  timezone: z.string().openapi({ description: "Days are the restaurant's local days" }),
};
const money = z.number().int().openapi({ description: "Cents" });

const orderMetrics = z
  .object({
    ...base,
    metric: z.literal("orders"),
    totalOrders: z.number().int(),
    revenueOrders: z.number().int().openapi({ description: "Orders not cancelled" }),
    revenueCents: money,
    averageOrderValueCents: money,
    perDay: z.array(z.object({ date: z.string(), orders: z.number().int(), revenueCents: money })),
    statusBreakdown: z.array(z.object({ status: z.string(), orders: z.number().int() })),
  })
  .openapi("OrderAnalytics");

const customerMetrics = z
  .object({
    ...base,
    metric: z.literal("customers"),
    customers: z.number().int(),
    newCustomers: z.number().int(),
    returningCustomers: z.number().int(),
    topCustomers: z.array(
      z.object({ customerId: z.number().int(), name: z.string(), orders: z.number().int(), revenueCents: money }),
    ),
  })
  .openapi("CustomerAnalytics");

const itemSales = z.object({
  menuItemId: z.number().int(),
  name: z.string(),
  categoryId: z.number().int(),
  quantity: z.number().int(),
  revenueCents: money,
});

const menuMetrics = z
  .object({
    ...base,
    metric: z.literal("menu"),
    topItemsByQuantity: z.array(itemSales),
    topItemsByRevenue: z.array(itemSales),
    categories: z.array(
      z.object({ categoryId: z.number().int(), name: z.string(), quantity: z.number().int(), revenueCents: money }),
    ),
  })
  .openapi("MenuAnalytics");

const deliveryMetrics = z
  .object({
    ...base,
    metric: z.literal("delivery"),
    deliveries: z.number().int(),
    delivered: z.number().int(),
    averageMinutes: z.number().nullable(),
    p90Minutes: z.number().nullable(),
    onTimeDeliveries: z.number().int(),
    onTimeShare: z.number().nullable().openapi({ description: "Delivered within the estimate / delivered" }),
  })
  .openapi("DeliveryAnalytics");

export const analyticsSchema = z
  .discriminatedUnion("metric", [orderMetrics, customerMetrics, menuMetrics, deliveryMetrics])
  .openapi("Analytics");
