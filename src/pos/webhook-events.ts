import { z } from "zod";
import { localOrderStatusSchema } from "./local/local-schemas";
import {
  squareFulfillmentStateSchema,
  squareInventoryCountSchema,
  squareOrderStateSchema,
} from "./square/square-schemas";
import { squareOrderStatus } from "./square/square-status";
import { toastInventoryResponseSchema, toastOrderSchema } from "./toast/toast-schemas";
import { toastOrderStatus } from "./toast/toast-status";
import type { PosInventoryLevel, PosOrderStatus, PosType } from "./types";

/**
 * A POS webhook reduced to what our jobs act on. `eventId` is the vendor's
 * event id, to make duplicates harmless. An order event's `status` is null
 * when the event alone does not say it (Square's `order.updated` of an OPEN
 * order): fetch the order to learn it.
 */
export type PosWebhookEvent =
  | {
      kind: "order_status";
      eventId: string;
      posOrderId: string;
      status: PosOrderStatus | null;
      locationRef: string | null;
    }
  | { kind: "inventory"; eventId: string; locationRef: string | null; levels: PosInventoryLevel[] };

// Square: https://developer.squareup.com/reference/square/webhooks
export const squareWebhookSchema = z.object({
  merchant_id: z.string().optional(),
  type: z.string(),
  event_id: z.string(),
  created_at: z.string().optional(),
  data: z.object({ type: z.string().optional(), id: z.string().optional(), object: z.record(z.string(), z.unknown()) }),
});

const squareOrderUpdatedSchema = z.object({
  order_id: z.string(),
  state: squareOrderStateSchema,
  location_id: z.string().optional(),
  version: z.number().optional(),
});

const squareFulfillmentUpdatedSchema = squareOrderUpdatedSchema.extend({
  fulfillment_update: z
    .array(
      z.object({
        fulfillment_uid: z.string().optional(),
        old_state: squareFulfillmentStateSchema.optional(),
        new_state: squareFulfillmentStateSchema,
      }),
    )
    .default([]),
});

// Toast: https://doc.toasttab.com/doc/devguide/apiWebhooksReference.html
export const toastWebhookSchema = z.object({
  timestamp: z.string(),
  eventCategory: z.string(),
  eventType: z.string(),
  guid: z.string(),
  details: z.record(z.string(), z.unknown()),
});

const toastOrderDetailsSchema = z.object({ restaurantGuid: z.string().optional(), order: toastOrderSchema });
const toastStockDetailsSchema = z.object({
  restaurantGuid: z.string().optional(),
  inventory: toastInventoryResponseSchema,
});

// local: docs/pos-local-contract.md
export const localWebhookSchema = z.discriminatedUnion("type", [
  z.object({
    id: z.string(),
    type: z.literal("order.status_changed"),
    storeId: z.string(),
    createdAt: z.string(),
    data: z.object({ orderId: z.string(), status: localOrderStatusSchema }),
  }),
  z.object({
    id: z.string(),
    type: z.literal("inventory.updated"),
    storeId: z.string(),
    createdAt: z.string(),
    data: z.object({ levels: z.array(z.object({ itemId: z.string(), quantity: z.number().int() })) }),
  }),
]);

function parseSquare(body: unknown): PosWebhookEvent | null {
  const event = squareWebhookSchema.parse(body);
  const object = event.data.object;
  if (event.type === "order.updated") {
    const order = squareOrderUpdatedSchema.parse(object.order_updated);
    const status = order.state === "OPEN" ? null : squareOrderStatus(order.state);
    return {
      kind: "order_status",
      eventId: event.event_id,
      posOrderId: order.order_id,
      status,
      locationRef: order.location_id ?? null,
    };
  }
  if (event.type === "order.fulfillment.updated") {
    const order = squareFulfillmentUpdatedSchema.parse(object.order_fulfillment_updated);
    const latest = order.fulfillment_update.at(-1)?.new_state;
    return {
      kind: "order_status",
      eventId: event.event_id,
      posOrderId: order.order_id,
      status: squareOrderStatus(order.state, latest),
      locationRef: order.location_id ?? null,
    };
  }
  if (event.type === "inventory.count.updated") {
    const counts = z.array(squareInventoryCountSchema).parse(object.inventory_counts);
    const inStock = counts.filter((c) => c.state === "IN_STOCK");
    return {
      kind: "inventory",
      eventId: event.event_id,
      locationRef: inStock[0]?.location_id ?? null,
      levels: inStock.map((c) => ({ posItemId: c.catalog_object_id, quantity: Math.floor(Number(c.quantity)) })),
    };
  }
  return null;
}

function parseToast(body: unknown): PosWebhookEvent | null {
  const event = toastWebhookSchema.parse(body);
  if (event.eventType === "order_updated" || event.eventType === "channel_order_updated") {
    const details = toastOrderDetailsSchema.parse(event.details);
    return {
      kind: "order_status",
      eventId: event.guid,
      posOrderId: details.order.guid,
      status: toastOrderStatus(details.order),
      locationRef: details.restaurantGuid ?? null,
    };
  }
  if (event.eventCategory === "stock") {
    const details = toastStockDetailsSchema.parse(event.details);
    return {
      kind: "inventory",
      eventId: event.guid,
      locationRef: details.restaurantGuid ?? null,
      levels: details.inventory
        .filter((i) => i.status !== "IN_STOCK")
        .map((i) => ({ posItemId: i.guid, quantity: i.status === "OUT_OF_STOCK" ? 0 : Math.floor(i.quantity ?? 0) })),
    };
  }
  return null;
}

function parseLocal(body: unknown): PosWebhookEvent {
  const event = localWebhookSchema.parse(body);
  if (event.type === "order.status_changed") {
    return {
      kind: "order_status",
      eventId: event.id,
      posOrderId: event.data.orderId,
      status: event.data.status,
      locationRef: event.storeId,
    };
  }
  return {
    kind: "inventory",
    eventId: event.id,
    locationRef: event.storeId,
    levels: event.data.levels.map((l) => ({ posItemId: l.itemId, quantity: l.quantity })),
  };
}

/**
 * A verified webhook body → our event; null for event types we do not act on
 * (acknowledge them and move on). Throws (a ZodError or SyntaxError) when the
 * body is not what the vendor documents. Verify the signature first.
 */
export function parsePosWebhook(posType: PosType, rawBody: string): PosWebhookEvent | null {
  const body: unknown = JSON.parse(rawBody);
  switch (posType) {
    case "square":
      return parseSquare(body);
    case "toast":
      return parseToast(body);
    case "local":
      return parseLocal(body);
  }
}

/**
 * When the vendor sent a webhook, where its signature covers that moment: Toast signs the body and
 * the envelope's `timestamp`, and the local POS's body (signed whole) carries `createdAt`, the
 * delivery's time. Square signs no delivery time (its `created_at` is the event's, kept across
 * redeliveries), so null: there only the event-id memory stops a replay. NaN for a timestamp
 * that does not parse.
 */
export function signedSendTime(posType: PosType, rawBody: string): number | null {
  if (posType === "square") return null;
  const body = JSON.parse(rawBody) as { timestamp?: unknown; createdAt?: unknown };
  const value = posType === "toast" ? body.timestamp : body.createdAt;
  return typeof value === "string" ? Date.parse(value) : Number.NaN;
}
