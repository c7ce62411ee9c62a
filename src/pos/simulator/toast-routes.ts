import { Hono } from "hono";
import { z } from "zod";
import { TOAST_IDEMPOTENCY_HEADER, TOAST_RESTAURANT_HEADER } from "../toast/toast-adapter";
import type { ToastErrorBody, ToastInventoryResponse, ToastMenusResponse, ToastOrder } from "../toast/toast-schemas";
import { applyToastStatus } from "../toast/toast-status";
import type { PosOrderStatus } from "../types";
import {
  bearerToken,
  errorResponse,
  faultMiddleware,
  readJson,
  SIM_ERROR_STATUS,
  type SimErrorKind,
  type SimulatorContext,
} from "./context";
import { type SimulatorState, simulatorId } from "./state";

export function toastErrorBody(kind: SimErrorKind, message: string): ToastErrorBody {
  return { status: SIM_ERROR_STATUS[kind], code: SIM_ERROR_STATUS[kind], message, messageKey: kind.toUpperCase() };
}

const loginRequest = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  userAccessType: z.literal("TOAST_MACHINE_CLIENT"),
});

const createOrderRequest = z.object({
  externalId: z.string().optional(),
  diningOption: z.object({ guid: z.string() }).optional(),
  checks: z
    .array(
      z.object({
        externalId: z.string().optional(),
        selections: z.array(z.object({ item: z.object({ guid: z.string() }), quantity: z.number().positive() })).min(1),
      }),
    )
    .min(1),
});

const paymentsRequest = z
  .array(z.object({ externalId: z.string().optional(), type: z.string(), amount: z.number().nonnegative() }))
  .min(1);

/** Moves a Toast order so that it reads as `status`; false when unknown. */
export function setToastOrderStatus(state: SimulatorState, guid: string, status: PosOrderStatus): boolean {
  const order = state.toastOrders.get(guid);
  if (!order) return false;
  state.toastOrders.set(guid, { ...applyToastStatus(order, status, new Date().toISOString()), tenant: order.tenant });
  return true;
}

function withoutTenant(stored: ToastOrder & { tenant: string }): ToastOrder {
  const { tenant: _tenant, ...order } = stored;
  return order;
}

function menusFor(state: SimulatorState, restaurant: string): ToastMenusResponse {
  const catalog = state.catalog("toast", restaurant);
  return {
    restaurantGuid: restaurant,
    lastUpdated: new Date().toISOString(),
    menus: [
      {
        guid: `${restaurant}-menu`,
        name: "Menu",
        menuGroups: catalog.categories.map((category) => ({
          guid: category.posExternalId,
          name: category.name,
          menuGroups: [],
          menuItems: catalog.items
            .filter((item) => item.categoryPosExternalId === category.posExternalId)
            .map((item) => ({
              guid: item.posExternalId,
              name: item.name,
              description: item.description,
              price: item.priceCents / 100,
            })),
        })),
      },
    ],
  };
}

type ToastEnv = { Variables: { restaurant: string } };

/** Toast authentication, orders v2, menus v2 and stock v1; the tenant is the restaurant GUID header. */
export function toastRoutes(ctx: SimulatorContext): Hono<ToastEnv> {
  const { state } = ctx;
  const app = new Hono<ToastEnv>();
  app.use("*", faultMiddleware(ctx, "toast", toastErrorBody));

  app.post("/authentication/v1/authentication/login", async (c) => {
    const parsed = loginRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(toastErrorBody, "unauthorized", "invalid client credentials");
    state.count("toast", "logins");
    const accessToken = `toast-${simulatorId("guid")}`;
    state.toastTokens.set(accessToken, Date.now() + ctx.toastTokenTtlSeconds * 1000);
    return c.json({
      token: { tokenType: "Bearer", scope: null, expiresIn: ctx.toastTokenTtlSeconds, accessToken },
      status: "SUCCESS",
    });
  });

  app.use("*", async function requireTokenAndRestaurant(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    const expiresAt = token ? state.toastTokens.get(token) : undefined;
    if (!expiresAt || expiresAt <= Date.now())
      return errorResponse(toastErrorBody, "unauthorized", "invalid or expired token");
    const restaurant = c.req.header(TOAST_RESTAURANT_HEADER);
    if (!restaurant)
      return errorResponse(toastErrorBody, "bad_request", `${TOAST_RESTAURANT_HEADER} header is required`);
    c.set("restaurant", restaurant);
    await next();
  });

  app.post("/orders/v2/orders", async (c) => {
    const parsed = createOrderRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(toastErrorBody, "bad_request", parsed.error.message);
    const input = parsed.data;
    const restaurant = c.get("restaurant");
    const key = c.req.header(TOAST_IDEMPOTENCY_HEADER) ?? null;
    const prices = new Map(state.catalog("toast", restaurant).items.map((i) => [i.posExternalId, i.priceCents / 100]));
    const result = state.idempotent("toast", "order", restaurant, key, JSON.stringify(input), () => {
      const now = new Date().toISOString();
      const checks = input.checks.map((check) => {
        const selections = check.selections.map((s) => ({
          guid: simulatorId("guid"),
          item: { guid: s.item.guid },
          quantity: s.quantity,
          // An item the simulator's menu does not know is accepted at 0.00, so tests need not seed a menu.
          price: (prices.get(s.item.guid) ?? 0) * s.quantity,
          fulfillmentStatus: "NEW" as const,
        }));
        const total = selections.reduce((sum, s) => sum + (s.price ?? 0), 0);
        return {
          guid: simulatorId("guid"),
          externalId: check.externalId ?? null,
          totalAmount: total,
          paymentStatus: "OPEN",
          closedDate: null,
          selections,
          payments: [],
        };
      });
      const order: ToastOrder = {
        guid: simulatorId("guid"),
        externalId: input.externalId ?? null,
        approvalStatus: "APPROVED",
        voided: false,
        closedDate: null,
        deliveryInfo: null,
        checks,
      };
      state.toastOrders.set(order.guid, { ...order, tenant: restaurant });
      const amount = checks.reduce((sum, check) => sum + (check.totalAmount ?? 0), 0);
      const write = {
        id: order.guid,
        orderId: order.guid,
        tenant: restaurant,
        reference: input.externalId ?? null,
        amountCents: Math.round(amount * 100),
        createdAt: now,
      };
      return { status: 200, body: order, write };
    });
    if ("conflict" in result)
      return errorResponse(toastErrorBody, "conflict", "idempotency key reused with another body");
    return c.json(result.body as ToastOrder);
  });

  app.get("/orders/v2/orders/:guid", (c) => {
    const order = state.toastOrders.get(c.req.param("guid"));
    if (!order || order.tenant !== c.get("restaurant"))
      return errorResponse(toastErrorBody, "not_found", "order not found");
    return c.json(withoutTenant(order));
  });

  app.post("/orders/v2/orders/:guid/checks/:checkGuid/payments", async (c) => {
    const parsed = paymentsRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) return errorResponse(toastErrorBody, "bad_request", parsed.error.message);
    const restaurant = c.get("restaurant");
    const order = state.toastOrders.get(c.req.param("guid"));
    const check = order?.checks.find((ch) => ch.guid === c.req.param("checkGuid"));
    if (!order || order.tenant !== restaurant || !check)
      return errorResponse(toastErrorBody, "not_found", "check not found");
    const key = c.req.header(TOAST_IDEMPOTENCY_HEADER) ?? null;
    const fingerprint = JSON.stringify({ check: check.guid, payments: parsed.data });
    const result = state.idempotent("toast", "payment", restaurant, key, fingerprint, () => {
      const now = new Date().toISOString();
      const added = parsed.data.map((p) => ({
        guid: simulatorId("guid"),
        externalId: p.externalId ?? null,
        type: p.type,
        amount: p.amount,
        paymentStatus: "CAPTURED",
      }));
      check.payments.push(...added);
      const [first] = added;
      const write = first
        ? {
            id: first.guid,
            orderId: order.guid,
            tenant: restaurant,
            reference: first.externalId,
            amountCents: Math.round(added.reduce((sum, p) => sum + p.amount, 0) * 100),
            createdAt: now,
          }
        : null;
      return { status: 200, body: withoutTenant(order), write };
    });
    if ("conflict" in result)
      return errorResponse(toastErrorBody, "conflict", "idempotency key reused with another body");
    return c.json(result.body as ToastOrder);
  });

  // Void an order with its selections and payments; a voided order cannot be voided again.
  app.post("/orders/v2/orders/:guid/void", async (c) => {
    const restaurant = c.get("restaurant");
    const order = state.toastOrders.get(c.req.param("guid"));
    if (!order || order.tenant !== restaurant) return errorResponse(toastErrorBody, "not_found", "order not found");
    if (order.voided) return errorResponse(toastErrorBody, "bad_request", "order is already voided");
    const request = (await readJson(c.req.raw)) as { payments?: { voidAll?: boolean } } | undefined;
    const voided = applyToastStatus(order, "cancelled", new Date().toISOString());
    // Toast voids the order's payments with it when asked to (`payments.voidAll`): their money goes back.
    if (request?.payments?.voidAll) {
      voided.checks = voided.checks.map((check) => ({
        ...check,
        payments: check.payments.map((p) => ({ ...p, paymentStatus: "VOIDED" })),
      }));
    }
    const stored = { ...voided, tenant: restaurant };
    state.toastOrders.set(order.guid, stored);
    return c.json(withoutTenant(stored));
  });

  app.get("/menus/v2/menus", (c) => c.json(menusFor(state, c.get("restaurant"))));

  app.get("/menus/v2/metadata", (c) => {
    const { restaurantGuid, lastUpdated } = menusFor(state, c.get("restaurant"));
    return c.json({ restaurantGuid, lastUpdated });
  });

  app.get("/stock/v1/inventory", (c) => {
    const levels = state.inventory("toast", c.get("restaurant"));
    const body: ToastInventoryResponse = levels.map((level) => ({
      guid: level.posItemId,
      status: level.quantity <= 0 ? "OUT_OF_STOCK" : "QUANTITY",
      quantity: level.quantity <= 0 ? null : level.quantity,
    }));
    return c.json(body);
  });

  return app;
}
