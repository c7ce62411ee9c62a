import { Hono } from "hono";
import { z } from "zod";
import type { SquareCatalogObject, SquareOrder } from "../square/square-schemas";
import { squareStateFor } from "../square/square-status";
import type { PosOrderStatus } from "../types";
import { bearerToken, errorResponse, faultMiddleware, readJson, type SimulatorContext } from "./context";
import {
  readSquareBody,
  squareErrorBody,
  squareErrors,
  squareRequestFingerprint,
  squareValidationErrors,
} from "./square-errors";
import { squarePaymentRoutes } from "./square-payment-routes";
import { squareRefundRoutes } from "./square-refund-routes";
import { type SimulatorState, simulatorId } from "./state";

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string() });

/** CreateOrder as far as the simulator checks it; every field it does not model is kept as sent. */
const createOrderRequest = z.looseObject({
  idempotency_key: z.string().min(1).max(192),
  order: z.looseObject({
    location_id: z.string().min(1),
    reference_id: z.string().max(40).optional(),
    line_items: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          quantity: z.string().regex(/^\d+$/),
          catalog_object_id: z.string().optional(),
          base_price_money: money.optional(),
        }),
      )
      .min(1),
    service_charges: z.array(z.looseObject({ name: z.string(), amount_money: money })).optional(),
    discounts: z
      .array(
        z.looseObject({ name: z.string().optional(), type: z.string().optional(), amount_money: money.optional() }),
      )
      .optional(),
    fulfillments: z.array(z.looseObject({ type: z.string(), state: z.string().optional() })).optional(),
  }),
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
    const body = await readSquareBody(c.req.raw, createOrderRequest);
    if ("refused" in body) return body.refused;
    const raw = body.raw;
    const { idempotency_key: key, order: input } = body.data;
    const merchant = c.get("merchant");
    const fingerprint = squareRequestFingerprint(raw as Record<string, unknown>);
    const result = state.idempotent("square", "order", merchant, key, fingerprint, () => {
      const now = new Date().toISOString();
      const currency = input.line_items[0]?.base_price_money?.currency ?? "USD";
      const lines = input.line_items.map((l) => (l.base_price_money?.amount ?? 0) * Number(l.quantity));
      const charges = (input.service_charges ?? []).map((s) => s.amount_money.amount);
      // Fixed-amount order discounts come off the total (percentage ones are not modelled).
      const discounts = (input.discounts ?? []).map((d) => -(d.amount_money?.amount ?? 0));
      const order: SquareOrder = {
        ...input,
        id: simulatorId("square"),
        state: "OPEN",
        version: 1,
        total_money: { amount: [...lines, ...charges, ...discounts].reduce((a, b) => a + b, 0), currency },
        line_items: input.line_items.map((l, i) => ({ uid: `line-${i}`, ...l })),
        fulfillments: (input.fulfillments ?? []).map((f, i) => ({ uid: `ful-${i}`, ...f, state: "PROPOSED" as const })),
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

  squarePaymentRoutes(ctx, app);
  squareRefundRoutes(ctx, app);

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
    if (!parsed.success) return squareErrors(400, squareValidationErrors(parsed.error));
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

  // Square answers an unknown route (or method) in its own error shape too.
  app.all("*", (c) => errorResponse(squareErrorBody, "not_found", `No route for ${c.req.method} ${c.req.path}.`));

  return app;
}
