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
import { simulatorId } from "./state";

/**
 * Square's documented Sandbox payment tokens (developer.squareup.com/docs/testing/test-values):
 * what a CreatePayment with each as `source_id` answers. Any other `cnon:` token is unknown.
 */
export const SQUARE_SANDBOX_SOURCES: Record<
  string,
  { outcome: "ok" } | { outcome: "declined" | "invalid"; code: string; detail: string }
> = {
  "cnon:card-nonce-ok": { outcome: "ok" },
  "cnon:gift-card-nonce-ok": { outcome: "ok" },
  "cnon:card-nonce-declined": { outcome: "declined", code: "CARD_DECLINED", detail: "Card declined." },
  "cnon:card-nonce-rejected-cvv": {
    outcome: "declined",
    code: "CVV_FAILURE",
    detail: "Card verification code check failed.",
  },
  "cnon:card-nonce-rejected-postalcode": {
    outcome: "declined",
    code: "ADDRESS_VERIFICATION_FAILURE",
    detail: "Card postal code check failed.",
  },
  "cnon:card-nonce-rejected-expiration": {
    outcome: "declined",
    code: "INVALID_EXPIRATION",
    detail: "Invalid card expiration date.",
  },
  "cnon:card-nonce-requires-verification": {
    outcome: "declined",
    code: "CARD_DECLINED_VERIFICATION_REQUIRED",
    detail: "This card requires verification (a verification_token).",
  },
  "cnon:gift-card-nonce-insufficient-funds": {
    outcome: "declined",
    code: "INSUFFICIENT_FUNDS",
    detail: "Authorization error: 'INSUFFICIENT_FUNDS'",
  },
  "cnon:card-nonce-already-used": { outcome: "invalid", code: "CARD_TOKEN_USED", detail: "Card nonce already used." },
};

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) });

/** CreatePayment as far as the simulator checks it; every other field is kept as sent. */
const createPaymentRequest = z.looseObject({
  idempotency_key: z.string().min(1).max(45),
  source_id: z.string().min(1).max(4096),
  amount_money: money,
  autocomplete: z.boolean().optional(),
  order_id: z.string().max(192).optional(),
  location_id: z.string().max(50).optional(),
  reference_id: z.string().max(40).optional(),
  note: z.string().max(500).optional(),
  external_details: z
    .looseObject({ type: z.string(), source: z.string(), source_id: z.string().optional() })
    .optional(),
});
type CreatePaymentRequest = z.infer<typeof createPaymentRequest>;

/** The card Square's Sandbox answers with for a test token. */
function sandboxCardDetails(status: "CAPTURED" | "AUTHORIZED" | "FAILED") {
  return {
    status,
    card: {
      card_brand: "VISA",
      last_4: "1111",
      exp_month: 12,
      exp_year: 2030,
      fingerprint: "sq-1-simulated-card",
      card_type: "CREDIT",
      prepaid_type: "NOT_PREPAID",
      bin: "411111",
    },
    entry_method: "KEYED",
    cvv_status: status === "FAILED" ? "CVV_REJECTED" : "CVV_ACCEPTED",
    avs_status: "AVS_ACCEPTED",
    statement_description: "SQ *FOODHUB SIMULATOR",
  };
}

/** A Payment object for a request (card or external), with the request's unmodelled fields kept. */
function paymentFor(input: CreatePaymentRequest, status: string, locationId?: string) {
  const now = new Date().toISOString();
  const card = input.source_id.startsWith("cnon:");
  const { idempotency_key: _key, source_id: _source, autocomplete: _autocomplete, ...kept } = input;
  return {
    ...kept,
    id: simulatorId("square"),
    amount_money: input.amount_money,
    order_id: input.order_id,
    reference_id: input.reference_id,
    created_at: now,
    updated_at: now,
    status,
    total_money: input.amount_money,
    ...(status === "FAILED" ? {} : { approved_money: input.amount_money }),
    source_type: card ? "CARD" : "EXTERNAL",
    ...(card
      ? {
          card_details: sandboxCardDetails(
            status === "COMPLETED" ? "CAPTURED" : status === "FAILED" ? "FAILED" : "AUTHORIZED",
          ),
        }
      : {}),
    location_id: input.location_id ?? locationId,
    version_token: simulatorId("square"),
  };
}

/** CreatePayment and GetPayment on the Square routes (`app` already resolves the merchant from the token). */
export function squarePaymentRoutes(ctx: SimulatorContext, app: Hono<{ Variables: { merchant: string } }>): void {
  const { state } = ctx;

  app.post("/v2/payments", async (c) => {
    const body = await readSquareBody(c.req.raw, createPaymentRequest);
    if ("refused" in body) return body.refused;
    const raw = body.raw;
    const input = body.data;
    const key = input.idempotency_key;
    const merchant = c.get("merchant");
    const order = input.order_id ? state.squareOrders.get(input.order_id) : undefined;
    if (input.order_id && (!order || order.tenant !== merchant)) {
      return errorResponse(
        (kind, detail) => squareErrorBody(kind, detail, "order_id"),
        "not_found",
        `Order ${input.order_id} not found.`,
      );
    }
    const source = input.source_id.startsWith("cnon:") ? SQUARE_SANDBOX_SOURCES[input.source_id] : undefined;
    let refusal: SquareError | undefined;
    if (input.source_id === "EXTERNAL") {
      if (!input.external_details) {
        refusal = {
          category: "INVALID_REQUEST_ERROR",
          code: "MISSING_REQUIRED_PARAMETER",
          detail: "external_details is required for an EXTERNAL payment.",
          field: "external_details",
        };
      }
    } else if (!source) {
      refusal = {
        category: "INVALID_REQUEST_ERROR",
        code: "INVALID_CARD_DATA",
        detail: "The source_id is not a payment token this Sandbox knows.",
        field: "source_id",
      };
    } else if (source.outcome === "invalid") {
      refusal = { category: "INVALID_REQUEST_ERROR", code: source.code, detail: source.detail, field: "source_id" };
    }
    if (refusal) return squareErrors(400, [refusal]);

    const result = state.idempotent(
      "square",
      "payment",
      merchant,
      key,
      squareRequestFingerprint(raw as Record<string, unknown>),
      () => {
        if (source?.outcome === "declined") {
          // Square answers a decline with the error and the FAILED payment it recorded.
          const payment = paymentFor(input, "FAILED", order?.location_id);
          state.squarePayments.set(payment.id, { ...payment, tenant: merchant });
          const errors = [{ category: "PAYMENT_METHOD_ERROR", code: source.code, detail: source.detail }];
          return { status: 400, body: { errors, payment }, write: null };
        }
        const status = input.autocomplete === false ? "APPROVED" : "COMPLETED";
        const payment = paymentFor(input, status, order?.location_id);
        state.squarePayments.set(payment.id, { ...payment, tenant: merchant });
        const write = {
          id: payment.id,
          orderId: input.order_id ?? "",
          tenant: merchant,
          reference: input.reference_id ?? null,
          amountCents: input.amount_money.amount,
          createdAt: payment.created_at,
        };
        return { status: 200, body: { payment }, write };
      },
    );
    // Square answers a reused key with a different request as a 400 IDEMPOTENCY_KEY_REUSED.
    if ("conflict" in result) {
      return squareErrors(400, [
        {
          category: "INVALID_REQUEST_ERROR",
          code: "IDEMPOTENCY_KEY_REUSED",
          detail: "The idempotency key was already used with a different request.",
          field: "idempotency_key",
        },
      ]);
    }
    return c.json(result.body as object, result.status as 200 | 400);
  });

  app.get("/v2/payments/:id", (c) => {
    const stored = state.squarePayments.get(c.req.param("id"));
    if (!stored || stored.tenant !== c.get("merchant")) {
      return errorResponse(squareErrorBody, "not_found", `Payment ${c.req.param("id")} not found.`);
    }
    const { tenant: _tenant, ...payment } = stored;
    return c.json({ payment });
  });
}
