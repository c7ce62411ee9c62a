import { z } from "zod";

/**
 * The subset of Square API v2 we read (https://developer.squareup.com/reference/square).
 * Unknown fields are dropped; only what maps onto our tables is declared.
 */

export const squareMoneySchema = z.object({ amount: z.number().int(), currency: z.string() });

export const squareOrderStateSchema = z.enum(["OPEN", "COMPLETED", "CANCELED", "DRAFT"]);
export const squareFulfillmentStateSchema = z.enum([
  "PROPOSED",
  "RESERVED",
  "PREPARED",
  "COMPLETED",
  "CANCELED",
  "FAILED",
]);

export const squareOrderSchema = z.object({
  id: z.string(),
  location_id: z.string(),
  reference_id: z.string().optional(),
  state: squareOrderStateSchema,
  version: z.number().int().optional(),
  total_money: squareMoneySchema.optional(),
  line_items: z
    .array(
      z.object({
        uid: z.string().optional(),
        name: z.string().optional(),
        quantity: z.string(),
        catalog_object_id: z.string().optional(),
        base_price_money: squareMoneySchema.optional(),
      }),
    )
    .optional(),
  fulfillments: z
    .array(z.object({ uid: z.string().optional(), type: z.string().optional(), state: squareFulfillmentStateSchema }))
    .optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type SquareOrder = z.infer<typeof squareOrderSchema>;

/** CreateOrder and RetrieveOrder both answer `{ order }`. */
export const squareOrderResponseSchema = z.object({ order: squareOrderSchema });

export const squarePaymentSchema = z.object({
  id: z.string(),
  status: z.string(),
  amount_money: squareMoneySchema,
  order_id: z.string().optional(),
  location_id: z.string().optional(),
  source_type: z.string().optional(),
  reference_id: z.string().optional(),
  external_details: z.object({ type: z.string(), source: z.string(), source_id: z.string().optional() }).optional(),
  created_at: z.string().optional(),
});
export type SquarePayment = z.infer<typeof squarePaymentSchema>;

export const squarePaymentResponseSchema = z.object({ payment: squarePaymentSchema });

/** RefundPayment answers `{ refund }`; an EXTERNAL payment's refund is COMPLETED at once. */
export const squareRefundResponseSchema = z.object({
  refund: z.object({
    id: z.string(),
    status: z.enum(["PENDING", "COMPLETED", "REJECTED", "FAILED"]),
    amount_money: squareMoneySchema,
    payment_id: z.string().optional(),
  }),
});

export const squareCatalogObjectSchema = z.object({
  type: z.string(),
  id: z.string(),
  version: z.number().int().optional(),
  is_deleted: z.boolean().optional(),
  category_data: z.object({ name: z.string() }).optional(),
  item_data: z
    .object({
      name: z.string(),
      description: z.string().optional(),
      is_archived: z.boolean().optional(),
      categories: z.array(z.object({ id: z.string(), ordinal: z.number().optional() })).optional(),
      /** Deprecated by Square in favour of `categories`, still sent by older catalogs. */
      category_id: z.string().optional(),
      variations: z
        .array(
          z.object({
            type: z.string(),
            id: z.string(),
            item_variation_data: z
              .object({
                item_id: z.string().optional(),
                name: z.string().optional(),
                price_money: squareMoneySchema.optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type SquareCatalogObject = z.infer<typeof squareCatalogObjectSchema>;

export const squareCatalogListResponseSchema = z.object({
  objects: z.array(squareCatalogObjectSchema).default([]),
  cursor: z.string().optional(),
});

export const squareInventoryCountSchema = z.object({
  catalog_object_id: z.string(),
  catalog_object_type: z.string().optional(),
  state: z.string(),
  location_id: z.string(),
  /** Square sends quantities as decimal strings. */
  quantity: z.string(),
  calculated_at: z.string().optional(),
});
export type SquareInventoryCount = z.infer<typeof squareInventoryCountSchema>;

export const squareInventoryCountsResponseSchema = z.object({
  counts: z.array(squareInventoryCountSchema).default([]),
  cursor: z.string().optional(),
});

export const squareLocationResponseSchema = z.object({
  location: z.object({ id: z.string(), name: z.string().optional(), status: z.string().optional() }),
});

/** Square's error body on every non-2xx answer. */
export const squareErrorBodySchema = z.object({
  errors: z.array(
    z.object({ category: z.string(), code: z.string(), detail: z.string().optional(), field: z.string().optional() }),
  ),
});
export type SquareErrorBody = z.infer<typeof squareErrorBodySchema>;
