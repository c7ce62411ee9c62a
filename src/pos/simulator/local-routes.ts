import { Hono } from "hono";
import { z } from "zod";
import type { LocalErrorBody, LocalMenuResponse, LocalOrder, LocalPayment, LocalRefund } from "../local/local-schemas";
import type { PosOrderStatus } from "../types";
import {
  bearerToken,
  errorResponse,
  faultMiddleware,
  readJson,
  type SimErrorKind,
  type SimulatorContext,
} from "./context";
import { type SimulatorState, simulatorId } from "./state";

const LOCAL_CODES: Record<SimErrorKind, string> = {
  internal: "internal_error",
  unavailable: "unavailable",
  rate_limited: "rate_limited",
  unauthorized: "unauthorized",
  not_found: "not_found",
  bad_request: "invalid_request",
  conflict: "idempotency_key_reused",
};

export function localErrorBody(kind: SimErrorKind, message: string): LocalErrorBody {
  return { error: { code: LOCAL_CODES[kind], message } };
}

const createOrderRequest = z.object({
  reference: z.string().min(1),
  type: z.enum(["pickup", "delivery"]),
  currency: z.string().length(3),
  subtotalCents: z.number().int(),
  discountCents: z.number().int().nonnegative().optional(),
  taxCents: z.number().int(),
  deliveryFeeCents: z.number().int(),
  totalCents: z.number().int().nonnegative(),
  notes: z.string().nullable(),
  lines: z
    .array(
      z.object({
        itemId: z.string().nullable(),
        name: z.string(),
        quantity: z.number().int().positive(),
        unitPriceCents: z.number().int(),
        totalCents: z.number().int(),
      }),
    )
    .min(1),
});

const createPaymentRequest = z.object({
  reference: z.string().min(1),
  amountCents: z.number().int().positive(),
  currency: z.string().length(3),
  method: z.enum(["card", "cash", "wallet"]),
});

const createRefundRequest = z.object({
  reference: z.string().min(1),
  amountCents: z.number().int().positive(),
  currency: z.string().length(3),
});

export function setLocalOrderStatus(state: SimulatorState, id: string, status: PosOrderStatus): boolean {
  const order = state.localOrders.get(id);
  if (!order) return false;
  order.status = status;
  order.updatedAt = new Date().toISOString();
  return true;
}

function withoutTenant<T extends { tenant: string }>(stored: T): Omit<T, "tenant"> {
  const { tenant: _tenant, ...rest } = stored;
  return rest;
}

/** The in-house contract of docs/pos-local-contract.md; the tenant is the store id in the path. */
export function localRoutes(ctx: SimulatorContext): Hono {
  const { state } = ctx;
  const app = new Hono();
  app.use("*", faultMiddleware(ctx, "local", localErrorBody));

  app.get("/v1/health", (c) => c.json({ status: "ok" }));

  app.use("/v1/stores/*", async function requireToken(c, next) {
    if (!bearerToken(c.req.header("authorization")))
      return errorResponse(localErrorBody, "unauthorized", "missing bearer token");
    await next();
  });

  app.post("/v1/stores/:store/orders", async (c) => {
    const parsed = createOrderRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(localErrorBody, "bad_request", parsed.error.message);
    const input = parsed.data;
    const store = c.req.param("store");
    const key = c.req.header("idempotency-key") ?? null;
    const result = state.idempotent("local", "order", store, key, JSON.stringify(input), () => {
      const now = new Date().toISOString();
      const order: LocalOrder = {
        id: simulatorId("local"),
        storeId: store,
        reference: input.reference,
        status: "accepted",
        type: input.type,
        currency: input.currency,
        totalCents: input.totalCents,
        lines: input.lines,
        createdAt: now,
        updatedAt: now,
      };
      state.localOrders.set(order.id, { ...order, tenant: store });
      const write = {
        id: order.id,
        orderId: order.id,
        tenant: store,
        reference: input.reference,
        amountCents: input.totalCents,
        createdAt: now,
      };
      return { status: 201, body: { order }, write };
    });
    if ("conflict" in result)
      return errorResponse(localErrorBody, "conflict", "Idempotency-Key reused with another body");
    // 201 the first time, 200 for a replay: the contract lets a client tell them apart.
    return c.json(result.body as { order: LocalOrder }, result.replay ? 200 : 201);
  });

  app.get("/v1/stores/:store/orders/:id", (c) => {
    const order = state.localOrders.get(c.req.param("id"));
    if (!order || order.tenant !== c.req.param("store"))
      return errorResponse(localErrorBody, "not_found", "order not found");
    return c.json({ order: withoutTenant(order) });
  });

  // Cancel: idempotent by nature (a cancelled order answers as it is); a completed one cannot be.
  app.post("/v1/stores/:store/orders/:id/cancel", (c) => {
    const order = state.localOrders.get(c.req.param("id"));
    if (!order || order.tenant !== c.req.param("store"))
      return errorResponse(localErrorBody, "not_found", "order not found");
    if (order.status === "completed") {
      const body: LocalErrorBody = {
        error: { code: "order_not_cancellable", message: "a completed order cannot be cancelled" },
      };
      return c.json(body, 409);
    }
    if (order.status !== "cancelled") setLocalOrderStatus(state, order.id, "cancelled");
    return c.json({ order: withoutTenant(order) });
  });

  app.post("/v1/stores/:store/orders/:id/payments", async (c) => {
    const parsed = createPaymentRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(localErrorBody, "bad_request", parsed.error.message);
    const store = c.req.param("store");
    const order = state.localOrders.get(c.req.param("id"));
    if (!order || order.tenant !== store) return errorResponse(localErrorBody, "not_found", "order not found");
    const key = c.req.header("idempotency-key") ?? null;
    const input = parsed.data;
    const result = state.idempotent(
      "local",
      "payment",
      store,
      key,
      JSON.stringify({ order: order.id, ...input }),
      () => {
        const now = new Date().toISOString();
        const payment: LocalPayment = { id: simulatorId("local"), orderId: order.id, ...input, createdAt: now };
        state.localPayments.set(payment.id, { ...payment, tenant: store });
        const write = {
          id: payment.id,
          orderId: order.id,
          tenant: store,
          reference: input.reference,
          amountCents: input.amountCents,
          createdAt: now,
        };
        return { status: 201, body: { payment }, write };
      },
    );
    if ("conflict" in result)
      return errorResponse(localErrorBody, "conflict", "Idempotency-Key reused with another body");
    return c.json(result.body as { payment: LocalPayment }, result.replay ? 200 : 201);
  });

  // A refund against a recorded payment: at most what is left of it, in its currency.
  app.post("/v1/stores/:store/payments/:id/refunds", async (c) => {
    const parsed = createRefundRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(localErrorBody, "bad_request", parsed.error.message);
    const store = c.req.param("store");
    const payment = state.localPayments.get(c.req.param("id"));
    if (!payment || payment.tenant !== store) return errorResponse(localErrorBody, "not_found", "payment not found");
    const input = parsed.data;
    const key = c.req.header("idempotency-key") ?? null;
    const result = state.idempotent(
      "local",
      "refund",
      store,
      key,
      JSON.stringify({ payment: payment.id, ...input }),
      () => {
        const refunded = [...state.localRefunds.values()]
          .filter((r) => r.paymentId === payment.id)
          .reduce((sum, r) => sum + r.amountCents, 0);
        if (input.currency !== payment.currency || input.amountCents > payment.amountCents - refunded) {
          const body: LocalErrorBody = {
            error: { code: "refund_exceeds_payment", message: "the refund is more than is left of the payment" },
          };
          return { status: 409, body, write: null };
        }
        const now = new Date().toISOString();
        const refund: LocalRefund = {
          id: simulatorId("local"),
          paymentId: payment.id,
          orderId: payment.orderId,
          ...input,
          createdAt: now,
        };
        state.localRefunds.set(refund.id, { ...refund, tenant: store });
        const write = {
          id: refund.id,
          orderId: payment.id,
          tenant: store,
          reference: input.reference,
          amountCents: input.amountCents,
          createdAt: now,
        };
        return { status: 201, body: { refund }, write };
      },
    );
    if ("conflict" in result)
      return errorResponse(localErrorBody, "conflict", "Idempotency-Key reused with another body");
    const status = result.status === 201 && result.replay ? 200 : result.status;
    return c.json(result.body as { refund: LocalRefund }, status as 200 | 201 | 409);
  });

  app.get("/v1/stores/:store/menu", (c) => {
    const catalog = state.catalog("local", c.req.param("store"));
    const body: LocalMenuResponse = {
      categories: catalog.categories.map((cat) => ({ id: cat.posExternalId, name: cat.name, position: cat.position })),
      items: catalog.items.map((item) => ({
        id: item.posExternalId,
        categoryId: item.categoryPosExternalId,
        name: item.name,
        description: item.description,
        priceCents: item.priceCents,
        // The local POS always states availability; seeds that leave it open mean on sale.
        available: item.available ?? true,
      })),
    };
    return c.json(body);
  });

  app.get("/v1/stores/:store/inventory", (c) => {
    const levels = state.inventory("local", c.req.param("store"));
    return c.json({ levels: levels.map((l) => ({ itemId: l.posItemId, quantity: l.quantity })) });
  });

  return app;
}
