import { z } from "zod";

/**
 * Our own in-house POS contract; docs/pos-local-contract.md is its reference.
 * Statuses use our order vocabulary, so no mapping is needed.
 */

export const localOrderStatusSchema = z.enum([
  "pending",
  "accepted",
  "preparing",
  "ready",
  "out_for_delivery",
  "completed",
  "cancelled",
]);

export const localOrderSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  reference: z.string(),
  status: localOrderStatusSchema,
  type: z.enum(["pickup", "delivery"]),
  currency: z.string(),
  totalCents: z.number().int(),
  lines: z.array(
    z.object({
      itemId: z.string().nullable(),
      name: z.string(),
      quantity: z.number().int(),
      unitPriceCents: z.number().int(),
      totalCents: z.number().int(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LocalOrder = z.infer<typeof localOrderSchema>;

export const localOrderResponseSchema = z.object({ order: localOrderSchema });

export const localPaymentSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  reference: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  method: z.enum(["card", "cash", "wallet"]),
  createdAt: z.string(),
});
export type LocalPayment = z.infer<typeof localPaymentSchema>;

export const localPaymentResponseSchema = z.object({ payment: localPaymentSchema });

/** Money given back against a recorded payment (`POST /v1/stores/{store}/payments/{id}/refunds`). */
export const localRefundSchema = z.object({
  id: z.string(),
  paymentId: z.string(),
  orderId: z.string(),
  reference: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  createdAt: z.string(),
});
export type LocalRefund = z.infer<typeof localRefundSchema>;

export const localRefundResponseSchema = z.object({ refund: localRefundSchema });

export const localMenuResponseSchema = z.object({
  categories: z.array(z.object({ id: z.string(), name: z.string(), position: z.number().int() })),
  items: z.array(
    z.object({
      id: z.string(),
      categoryId: z.string(),
      name: z.string(),
      description: z.string(),
      priceCents: z.number().int(),
      available: z.boolean(),
    }),
  ),
});
export type LocalMenuResponse = z.infer<typeof localMenuResponseSchema>;

export const localInventoryResponseSchema = z.object({
  levels: z.array(z.object({ itemId: z.string(), quantity: z.number().int() })),
});
export type LocalInventoryResponse = z.infer<typeof localInventoryResponseSchema>;

export const localHealthResponseSchema = z.object({ status: z.literal("ok") });

export const localErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type LocalErrorBody = z.infer<typeof localErrorBodySchema>;
