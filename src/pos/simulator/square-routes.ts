import { Hono } from "hono";
import { z } from "zod";
import type { SquareCatalogObject, SquareErrorBody, SquareOrder } from "../square/square-schemas";
import { squareStateFor } from "../square/square-status";
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

const SQUARE_ERRORS: Record<SimErrorKind, { category: string; code: string }> = {
  internal: { category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" },
  unavailable: { category: "API_ERROR", code: "SERVICE_UNAVAILABLE" },
  rate_limited: { category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" },
  unauthorized: { category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" },
  not_found: { category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" },
  bad_request: { category: "INVALID_REQUEST_ERROR", code: "INVALID_VALUE" },
  conflict: { category: "INVALID_REQUEST_ERROR", code: "IDEMPOTENCY_KEY_REUSED" },
};

export function squareErrorBody(kind: SimErrorKind, detail: string): SquareErrorBody {
  return { errors: [{ ...SQUARE_ERRORS[kind], detail }] };
}

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string() });

const createOrderRequest = z.object({
  idempotency_key: z.string().min(1).max(192),
  order: z.object({
    location_id: z.string().min(1),
    reference_id: z.string().optional(),
    line_items: z
      .array(
        z.object({
          name: z.string().optional(),
          quantity: z.string().regex(/^\d+$/),
          catalog_object_id: z.string().optional(),
          base_price_money: money.optional(),
        }),
      )
      .min(1),
    service_charges: z.array(z.object({ name: z.string(), amount_money: money })).optional(),
    fulfillments: z.array(z.object({ type: z.string(), state: z.string().optional() })).optional(),
  }),
});

const createPaymentRequest = z.object({
  idempotency_key: z.string().min(1).max(45),
  source_id: z.literal("EXTERNAL"),
  amount_money: money,
  order_id: z.string().optional(),
  location_id: z.string().optional(),
  reference_id: z.string().optional(),
  external_details: z.object({ type: z.string(), source: z.string(), source_id: z.string().optional() }),
});

const updateOrderRequest = z.object({
  idempotency_key: z.string().min(1).max(192).optional(),
  order: z.object({
    location_id: z.string().optional(),
    version: z.number().int(),
    state: z.enum(["OPEN", "COMPLETED", "CANCELED"]).optional(),
    fulfillments: z
      .array(
        z.object({
          uid: z.string(),
          state: z.enum(["PROPOSED", "RESERVED", "PREPARED", "COMPLETED", "CANCELED", "FAILED"]).optional(),
        }),
      )
      .optional(),
  }),
});

const batchRetrieveRequest = z.object({
  location_ids: z.array(z.string()).optional(),
  catalog_object_ids: z.array(z.string()).optional(),
  states: z.array(z.string()).optional(),
  cursor: z.string().optional(),
});

function page<T>(all: readonly T[], cursor: string | undefined, size: number): { items: T[]; cursor?: string } {
  const offset = cursor ? Number(atob(cursor)) || 0 : 0;
  const items = all.slice(offset, offset + size);
  return offset + size < all.length ? { items, cursor: btoa(String(offset + size)) } : { items };
}

/** Our neutral catalog as Square objects: a CATEGORY per category, an ITEM with one variation per item. */
function squareCatalogObjects(state: SimulatorState, merchant: string): SquareCatalogObject[] {
  const catalog = state.catalog("square", merchant);
  const categories: SquareCatalogObject[] = catalog.categories.map((c) => ({
    type: "CATEGORY",
    id: c.posExternalId,
    category_data: { name: c.name },
  }));
  const items: SquareCatalogObject[] = catalog.items.map((i) => ({
    type: "ITEM",
    id: `${i.posExternalId}-ITEM`,
    item_data: {
      name: i.name,
      description: i.description,
      is_archived: i.available === false,
      categories: [{ id: i.categoryPosExternalId }],
      variations: [
        {
          type: "ITEM_VARIATION",
          id: i.posExternalId,
          item_variation_data: {
            item_id: `${i.posExternalId}-ITEM`,
            name: "Regular",
            price_money: { amount: i.priceCents, currency: "USD" },
          },
        },
      ],
    },
  }));
  return [...categories, ...items];
}

/** Moves a Square order to the state pair that reads as `status`; false when unknown. */
export function setSquareOrderStatus(state: SimulatorState, orderId: string, status: PosOrderStatus): boolean {
  const order = state.squareOrders.get(orderId);
  if (!order) return false;
  const next = squareStateFor(status);
  order.state = next.state;
  order.fulfillments = (order.fulfillments ?? [{ type: "PICKUP", state: next.fulfillment }]).map((f) => ({
    ...f,
    state: next.fulfillment,
  }));
  order.version = (order.version ?? 1) + 1;
  order.updated_at = new Date().toISOString();
  return true;
}

/** Square API v2 subset; the merchant (tenant) is the bearer token. */
export function squareRoutes(ctx: SimulatorContext): Hono<{ Variables: { merchant: string } }> {
  const { state } = ctx;
  const app = new Hono<{ Variables: { merchant: string } }>();
  app.use("*", faultMiddleware(ctx, "square", squareErrorBody));
  app.use("*", async function requireToken(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) return errorResponse(squareErrorBody, "unauthorized", "This request could not be authorized.");
    c.set("merchant", token);
    await next();
  });

  app.post("/v2/orders", async (c) => {
    const parsed = createOrderRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(squareErrorBody, "bad_request", parsed.error.message);
    const { idempotency_key: key, order: input } = parsed.data;
    const merchant = c.get("merchant");
    const result = state.idempotent("square", "order", merchant, key, JSON.stringify(input), () => {
      const now = new Date().toISOString();
      const currency = input.line_items[0]?.base_price_money?.currency ?? "USD";
      const lines = input.line_items.map((l) => (l.base_price_money?.amount ?? 0) * Number(l.quantity));
      const charges = (input.service_charges ?? []).map((s) => s.amount_money.amount);
      const order: SquareOrder = {
        id: simulatorId("square"),
        location_id: input.location_id,
        reference_id: input.reference_id,
        state: "OPEN",
        version: 1,
        total_money: { amount: [...lines, ...charges].reduce((a, b) => a + b, 0), currency },
        line_items: input.line_items.map((l, i) => ({ uid: `line-${i}`, ...l })),
        fulfillments: (input.fulfillments ?? []).map((f, i) => ({ uid: `ful-${i}`, type: f.type, state: "PROPOSED" })),
        created_at: now,
        updated_at: now,
      };
      state.squareOrders.set(order.id, { ...order, tenant: merchant });
      const write = {
        id: order.id,
        orderId: order.id,
        tenant: merchant,
        reference: input.reference_id ?? null,
        amountCents: order.total_money?.amount ?? 0,
        createdAt: now,
      };
      return { status: 200, body: { order }, write };
    });
    // Square answers a reused key with a different body as a 400 IDEMPOTENCY_KEY_REUSED.
    if ("conflict" in result) return c.json(squareErrorBody("conflict", "idempotency key reused"), 400);
    return c.json(result.body, 200);
  });

  app.get("/v2/orders/:id", (c) => {
    const stored = state.squareOrders.get(c.req.param("id"));
    if (!stored || stored.tenant !== c.get("merchant")) {
      return errorResponse(squareErrorBody, "not_found", `Order ${c.req.param("id")} not found.`);
    }
    const { tenant: _tenant, ...order } = stored;
    return c.json({ order });
  });

  // UpdateOrder: a sparse order at the current version; COMPLETED and CANCELED orders cannot be updated.
  app.put("/v2/orders/:id", async (c) => {
    const parsed = updateOrderRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(squareErrorBody, "bad_request", parsed.error.message);
    const merchant = c.get("merchant");
    const stored = state.squareOrders.get(c.req.param("id"));
    if (!stored || stored.tenant !== merchant) {
      return errorResponse(squareErrorBody, "not_found", `Order ${c.req.param("id")} not found.`);
    }
    const { idempotency_key: key = null, order: patch } = parsed.data;
    const result = state.idempotent("square", "cancel", merchant, key, JSON.stringify({ id: stored.id, patch }), () => {
      if (stored.state === "COMPLETED" || stored.state === "CANCELED") {
        const body = squareErrorBody("bad_request", `Order in state ${stored.state} cannot be updated.`);
        return { status: 400, body, write: null };
      }
      if (patch.version !== (stored.version ?? 1)) {
        const body = {
          errors: [{ category: "INVALID_REQUEST_ERROR", code: "VERSION_MISMATCH", detail: "Version mismatch." }],
        };
        return { status: 400, body, write: null };
      }
      if (patch.state) stored.state = patch.state;
      for (const f of patch.fulfillments ?? []) {
        const target = stored.fulfillments?.find((existing) => existing.uid === f.uid);
        if (target && f.state) target.state = f.state;
      }
      stored.version = (stored.version ?? 1) + 1;
      stored.updated_at = new Date().toISOString();
      const { tenant: _tenant, ...order } = stored;
      return { status: 200, body: { order }, write: null };
    });
    if ("conflict" in result) return c.json(squareErrorBody("conflict", "idempotency key reused"), 400);
    return c.json(result.body as object, result.status as 200 | 400);
  });

  app.post("/v2/payments", async (c) => {
    const parsed = createPaymentRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(squareErrorBody, "bad_request", parsed.error.message);
    const { idempotency_key: key, ...input } = parsed.data;
    const merchant = c.get("merchant");
    const order = input.order_id ? state.squareOrders.get(input.order_id) : undefined;
    if (input.order_id && (!order || order.tenant !== merchant)) {
      return errorResponse(squareErrorBody, "not_found", `Order ${input.order_id} not found.`);
    }
    const result = state.idempotent("square", "payment", merchant, key, JSON.stringify(input), () => {
      const now = new Date().toISOString();
      const payment = {
        id: simulatorId("square"),
        status: "COMPLETED",
        source_type: "EXTERNAL",
        amount_money: input.amount_money,
        order_id: input.order_id,
        location_id: input.location_id ?? order?.location_id,
        reference_id: input.reference_id,
        external_details: input.external_details,
        created_at: now,
      };
      state.squarePayments.set(payment.id, { ...payment, tenant: merchant });
      const write = {
        id: payment.id,
        orderId: input.order_id ?? "",
        tenant: merchant,
        reference: input.reference_id ?? null,
        amountCents: input.amount_money.amount,
        createdAt: now,
      };
      return { status: 200, body: { payment }, write };
    });
    // Square answers a reused key with a different body as a 400 IDEMPOTENCY_KEY_REUSED.
    if ("conflict" in result) return c.json(squareErrorBody("conflict", "idempotency key reused"), 400);
    return c.json(result.body, 200);
  });

  app.get("/v2/catalog/list", (c) => {
    const types = (c.req.query("types") ?? "").split(",").filter(Boolean);
    const all = squareCatalogObjects(state, c.get("merchant")).filter(
      (o) => types.length === 0 || types.includes(o.type),
    );
    const { items, cursor } = page(all, c.req.query("cursor"), ctx.pageSize);
    return c.json({ objects: items, ...(cursor ? { cursor } : {}) });
  });

  app.post("/v2/inventory/counts/batch-retrieve", async (c) => {
    const parsed = batchRetrieveRequest.safeParse((await readJson(c.req.raw)) ?? {});
    if (!parsed.success) return errorResponse(squareErrorBody, "bad_request", parsed.error.message);
    const { location_ids: locations = [], catalog_object_ids: ids, cursor } = parsed.data;
    const now = new Date().toISOString();
    const counts = locations.flatMap((location) =>
      state
        .inventory("square", location)
        .filter((level) => !ids || ids.includes(level.posItemId))
        .map((level) => ({
          catalog_object_id: level.posItemId,
          catalog_object_type: "ITEM_VARIATION",
          state: "IN_STOCK",
          location_id: location,
          quantity: String(level.quantity),
          calculated_at: now,
        })),
    );
    const result = page(counts, cursor, ctx.pageSize);
    return c.json({ counts: result.items, ...(result.cursor ? { cursor: result.cursor } : {}) });
  });

  app.get("/v2/locations/:id", (c) =>
    c.json({ location: { id: c.req.param("id"), name: "Simulated", status: "ACTIVE" } }),
  );

  return app;
}
