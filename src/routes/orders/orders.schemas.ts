import { z } from "@hono/zod-openapi";
import { createSelectSchema } from "drizzle-zod";
import { deliveries, orderItems, orders, payments } from "../../../db/schema";
import { dbId } from "../../http/schemas";

export const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(8, "Idempotency-Key must be 8 to 128 characters")
    .max(128, "Idempotency-Key must be 8 to 128 characters")
    .regex(/^[\w.:-]+$/, "Idempotency-Key may contain letters, digits, '.', ':', '_' and '-'")
    .openapi({ example: "b7f3c1e2-order-1", description: "Same key and body replays the first result" }),
});

export const createOrderBodySchema = z
  .strictObject({
    restaurantId: dbId,
    branchId: dbId,
    type: z.enum(["pickup", "delivery"]),
    items: z
      .array(z.strictObject({ menuItemId: dbId, quantity: z.number().int().min(1).max(99) }))
      .min(1, "an order needs at least one item")
      .max(100, "an order has at most 100 lines")
      .refine((items) => new Set(items.map((i) => i.menuItemId)).size === items.length, {
        message: "each menu item may appear once; use quantity",
      }),
    notes: z.string().max(500).optional(),
    redeemRewardId: dbId.optional().openapi({
      description:
        "A reward rule of the restaurant's active loyalty program: its points are spent from the customer's " +
        "balance and its value taken off the subtotal (given back if the order is cancelled)",
      example: 3,
    }),
  })
  .openapi("CreateOrder");

export type CreateOrderInput = z.infer<typeof createOrderBodySchema>;

const paymentAmount = z
  .number()
  .int()
  .positive()
  .max(10_000_000)
  .optional()
  .openapi({ description: "Defaults to the outstanding balance" });

/** A card payment: the payment provider charges `sourceId`, and only its answer captures the payment. */
export const cardPaymentBodySchema = z
  .strictObject({
    method: z.literal("card"),
    sourceId: z
      .string()
      .min(1)
      .max(192)
      .regex(/^[\w:.-]+$/, "sourceId is a payment token from the provider's client SDK")
      // Square's words for money taken outside it: only staff record those, as cash or external.
      .refine((v) => v !== "EXTERNAL" && v !== "CASH", "sourceId must be a card payment token, not EXTERNAL or CASH")
      .openapi({ example: "cnon:card-nonce-ok", description: "One-time token from Square's Web Payments SDK" }),
    amountCents: paymentAmount,
  })
  .openapi("CardPayment");

/** Money the restaurant's staff took in person (cash, or a card terminal outside FoodHub). */
export const inPersonPaymentBodySchema = z
  .strictObject({ method: z.enum(["cash", "external"]), amountCents: paymentAmount })
  .openapi("InPersonPayment");

export const createPaymentBodySchema = z
  .discriminatedUnion("method", [cardPaymentBodySchema, inPersonPaymentBodySchema])
  .openapi("CreatePayment");

export type CreatePaymentInput = z.infer<typeof createPaymentBodySchema>;

export const cancelOrderBodySchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .openapi("CancelOrder");

export type CancelOrderInput = z.infer<typeof cancelOrderBodySchema>;

const timestamp = z.string().openapi({ format: "date-time" });

export const paymentSchema = createSelectSchema(payments)
  .pick({ id: true, orderId: true, status: true, amountCents: true, method: true, posSyncState: true })
  .extend({
    posPaymentId: z.string().nullable(),
    providerPaymentId: z.string().nullable(),
    failureCode: z.string().nullable().openapi({ description: "The payment provider's code when it declined" }),
    createdAt: timestamp,
    refundRequestedAt: timestamp.nullable().openapi({ description: "Set when its order was cancelled: owed back" }),
    refundState: z
      .enum(["requested", "pending", "completed", "failed"])
      .nullable()
      .openapi({ description: "A card payment's refund at the provider; `completed` only on the provider's word" }),
    providerRefundId: z.string().nullable(),
    refundedCents: z.number().int().nullable(),
    refundedAt: timestamp.nullable(),
    posRefundState: z
      .enum(["pending", "queued", "synced", "failed", "skipped"])
      .nullable()
      .openapi({ description: "The completed refund's way to the POS (RefundSyncToPOS)" }),
  })
  .openapi("Payment");

export const orderSchema = createSelectSchema(orders)
  .pick({
    id: true,
    restaurantId: true,
    branchId: true,
    customerId: true,
    status: true,
    type: true,
    subtotalCents: true,
    taxCents: true,
    deliveryFeeCents: true,
    totalCents: true,
    currency: true,
    posSyncState: true,
    loyaltyPointsEarned: true,
    loyaltyPointsRedeemed: true,
    discountCents: true,
  })
  .extend({
    loyaltyRewardId: z.number().int().nullable().openapi({ description: "The reward redeemed on this order" }),
    cancelledAt: timestamp.nullable(),
    cancelReason: z.string().nullable(),
    posCancelState: z
      .enum(["pending", "queued", "synced", "failed", "skipped"])
      .nullable()
      .openapi({ description: "The cancellation's progress to the POS; null unless cancelled" }),
    notes: z.string().nullable(),
    posOrderId: z.string().nullable(),
    createdAt: timestamp,
    items: z.array(
      createSelectSchema(orderItems).pick({
        id: true,
        menuItemId: true,
        name: true,
        quantity: true,
        unitPriceCents: true,
        totalCents: true,
      }),
    ),
    payments: z.array(paymentSchema),
    delivery: createSelectSchema(deliveries)
      .pick({ estimatedMinutes: true })
      .extend({ dispatchedAt: timestamp.nullable(), deliveredAt: timestamp.nullable() })
      .nullable(),
  })
  .openapi("Order");

export type OrderView = z.infer<typeof orderSchema>;
