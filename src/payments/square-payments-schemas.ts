import { z } from "zod";

/**
 * The part of Square's Payments API (CreatePayment, GetPayment) the provider reads.
 * https://developer.squareup.com/reference/square/payments-api
 */
export const squarePaymentStatusSchema = z.enum(["APPROVED", "PENDING", "COMPLETED", "CANCELED", "FAILED"]);

export const squareCardPaymentSchema = z.object({
  id: z.string(),
  status: squarePaymentStatusSchema,
  amount_money: z.object({ amount: z.number().int(), currency: z.string() }),
  reference_id: z.string().optional(),
});

export const squareCardPaymentResponseSchema = z.object({ payment: squareCardPaymentSchema });

/** Every non-2xx answer; a declined CreatePayment also carries the FAILED payment. */
export const squarePaymentErrorBodySchema = z.object({
  errors: z
    .array(
      z.object({ category: z.string(), code: z.string(), detail: z.string().optional(), field: z.string().optional() }),
    )
    .min(1),
  payment: squareCardPaymentSchema.partial().optional(),
});

/** RefundPayment and GetPaymentRefund: https://developer.squareup.com/reference/square/refunds-api */
export const squareRefundStatusSchema = z.enum(["PENDING", "COMPLETED", "REJECTED", "FAILED"]);

export const squareRefundResponseSchema = z.object({
  refund: z.object({
    id: z.string(),
    status: squareRefundStatusSchema,
    amount_money: z.object({ amount: z.number().int(), currency: z.string() }),
    payment_id: z.string().optional(),
  }),
});
