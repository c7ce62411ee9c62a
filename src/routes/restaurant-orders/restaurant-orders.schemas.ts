import { z } from "@hono/zod-openapi";
import { orderStatus } from "../../../db/schema";
import { orderSchema } from "../orders/orders.schemas";
import { paginationQuery } from "../restaurants/restaurants.schemas";

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v))
  .openapi({ type: "string", description: "ISO 8601 date-time (or a date: midnight UTC)" });

const filterFields = {
  status: z.enum(orderStatus.enumValues).optional(),
  from: instant.optional().openapi({ description: "Created at or after (inclusive)" }),
  to: instant.optional().openapi({ description: "Created before (exclusive)" }),
};

const orderedRange = <T extends { from?: Date; to?: Date }>({ from, to }: T) => !from || !to || from < to;
const rangeMessage = { message: "from must be before to", path: ["from"] };

export const orderFiltersQuery = z.object(filterFields).refine(orderedRange, rangeMessage);

export const orderListQuery = paginationQuery.extend(filterFields).refine(orderedRange, rangeMessage);

export const orderPageSchema = z
  .object({
    data: z.array(orderSchema),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  })
  .openapi("OrderPage");
