import type { Hono } from "hono";
import { z } from "zod";
import { errorResponse, type SimulatorContext } from "./context";
import {
  readSquareBody,
  type SquareError,
  squareErrorBody,
  squareErrors,
  squareRequestFingerprint,
} from "./square-errors";
import { type SquareRefundRecord, simulatorId } from "./state";

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) });

/**
 * RefundPayment as far as the simulator checks it (a linked refund: `payment_id` names a payment
 * of the merchant). https://developer.squareup.com/reference/square/refunds-api/refund-payment
 */
const refundPaymentRequest = z.looseObject({
  idempotency_key: z.string().min(1).max(45),
  amount_money: money,
  payment_id: z.string().min(1).max(192),
  reason: z.string().max(192).optional(),
  location_id: z.string().max(50).optional(),
  payment_version_token: z.string().optional(),
});

const refusal = (code: string, detail: string, field?: string): SquareError => ({
  category: "INVALID_REQUEST_ERROR",
  code,
  detail,
  ...(field ? { field } : {}),
});

/** What the simulator answers about a refund; a card refund still PENDING completes once read again. */
function view(record: SquareRefundRecord & { tenant: string }): SquareRefundRecord {
  const { tenant: _tenant, ...refund } = record;
  return refund;
}

/**
 * RefundPayment and GetPaymentRefund. A refund of a card payment answers PENDING (the card network
 * takes time), as Square's does, and is COMPLETED when next read; a refund of an EXTERNAL or CASH
 * payment only records money given back elsewhere, so it is COMPLETED at once. A refund is at
 * most what is left of a COMPLETED payment, in its currency; the same key returns the first refund.
 */
export function squareRefundRoutes(ctx: SimulatorContext, app: Hono<{ Variables: { merchant: string } }>): void {
  const { state } = ctx;

  app.post("/v2/refunds", async (c) => {
    const body = await readSquareBody(c.req.raw, refundPaymentRequest);
    if ("refused" in body) return body.refused;
    const raw = body.raw;
    const input = body.data;
    const merchant = c.get("merchant");
    const payment = state.squarePayments.get(input.payment_id);
    if (!payment || payment.tenant !== merchant) {
      return errorResponse(
        (kind, detail) => squareErrorBody(kind, detail, "payment_id"),
        "not_found",
        `Payment ${input.payment_id} not found.`,
      );
    }
    const result = state.idempotent(
      "square",
      "refund",
      merchant,
      input.idempotency_key,
      squareRequestFingerprint(raw as Record<string, unknown>),
      () => {
        const refunded = payment.refunded_money?.amount ?? 0;
        let error: SquareError | undefined;
        if (payment.status !== "COMPLETED") {
          error = refusal("PAYMENT_NOT_REFUNDABLE", `Payment ${payment.id} is ${payment.status}.`, "payment_id");
        } else if (input.amount_money.currency !== payment.amount_money.currency) {
          error = refusal("CURRENCY_MISMATCH", "The refund's currency is not the payment's.", "amount_money.currency");
        } else if (
          input.amount_money.amount <= 0 ||
          input.amount_money.amount > payment.amount_money.amount - refunded
        ) {
          error = refusal(
            "REFUND_AMOUNT_INVALID",
            `The refund must be more than 0 and at most ${payment.amount_money.amount - refunded}.`,
            "amount_money.amount",
          );
        }
        if (error) return { status: 400, body: { errors: [error] }, write: null };
        const now = new Date().toISOString();
        const card = payment.source_type === "CARD";
        const refund: SquareRefundRecord = {
          id: `${payment.id}_${simulatorId("square")}`,
          status: card ? "PENDING" : "COMPLETED",
          location_id: payment.location_id,
          unlinked: false,
          destination_type: card ? "CARD" : "EXTERNAL",
          amount_money: input.amount_money,
          payment_id: payment.id,
          order_id: payment.order_id,
          reason: input.reason,
          created_at: now,
          updated_at: now,
        };
        state.squareRefunds.set(refund.id, { ...refund, tenant: merchant });
        payment.refund_ids = [...(payment.refund_ids ?? []), refund.id];
        payment.refunded_money = {
          amount: refunded + input.amount_money.amount,
          currency: input.amount_money.currency,
        };
        const write = {
          id: refund.id,
          orderId: payment.id,
          tenant: merchant,
          reference: input.reason ?? null,
          amountCents: input.amount_money.amount,
          createdAt: now,
        };
        return { status: 200, body: { refund }, write };
      },
    );
    if ("conflict" in result) {
      return squareErrors(400, [
        refusal(
          "IDEMPOTENCY_KEY_REUSED",
          "The idempotency key was already used with a different request.",
          "idempotency_key",
        ),
      ]);
    }
    return c.json(result.body as object, result.status as 200 | 400);
  });

  app.get("/v2/refunds/:id", (c) => {
    const stored = state.squareRefunds.get(c.req.param("id"));
    if (!stored || stored.tenant !== c.get("merchant")) {
      return errorResponse(squareErrorBody, "not_found", `Refund ${c.req.param("id")} not found.`);
    }
    if (stored.status === "PENDING") {
      stored.status = "COMPLETED";
      stored.updated_at = new Date().toISOString();
    }
    return c.json({ refund: view(stored) });
  });
}
