import { TOAST_RESTAURANT_HEADER } from "../toast/toast-adapter";
import type { PosType } from "../types";
import { signPosWebhook } from "../webhook-signatures";
import type { SimulatorState } from "./state";

/** What happened on the POS that the simulator should tell a webhook endpoint about. */
export type SimulatorWebhookEvent =
  | { kind: "order_status"; posOrderId: string }
  /** The tenant's current stock (Square: the location id; Toast: restaurant GUID; local: store id). */
  | { kind: "inventory"; tenant: string };

export type SimulatorWebhook = {
  vendor: PosType;
  /** Where to POST. */
  url: string;
  secret: string;
  /** Square signs the notification URL as registered; defaults to `url`. */
  notificationUrl?: string;
  event: SimulatorWebhookEvent;
};

export type SentWebhook = { status: number; rawBody: string; headers: Record<string, string> };

function orderNotFound(vendor: PosType, id: string): Error {
  return new Error(`simulator: ${vendor} has no order ${id}`);
}

function squarePayload(state: SimulatorState, event: SimulatorWebhookEvent): unknown {
  const envelope = { event_id: crypto.randomUUID(), created_at: new Date().toISOString() };
  if (event.kind === "inventory") {
    const counts = state.inventory("square", event.tenant).map((level) => ({
      catalog_object_id: level.posItemId,
      catalog_object_type: "ITEM_VARIATION",
      state: "IN_STOCK",
      location_id: event.tenant,
      quantity: String(level.quantity),
      calculated_at: envelope.created_at,
    }));
    return {
      ...envelope,
      type: "inventory.count.updated",
      data: { type: "inventory_counts", id: crypto.randomUUID(), object: { inventory_counts: counts } },
    };
  }
  const order = state.squareOrders.get(event.posOrderId);
  if (!order) throw orderNotFound("square", event.posOrderId);
  const fulfillment = order.fulfillments?.[0];
  return {
    ...envelope,
    merchant_id: order.tenant,
    type: "order.fulfillment.updated",
    data: {
      type: "order_fulfillment_updated",
      id: order.id,
      object: {
        order_fulfillment_updated: {
          order_id: order.id,
          state: order.state,
          version: order.version,
          location_id: order.location_id,
          fulfillment_update: fulfillment ? [{ fulfillment_uid: fulfillment.uid, new_state: fulfillment.state }] : [],
        },
      },
    },
  };
}

function toastPayload(state: SimulatorState, event: SimulatorWebhookEvent): { body: unknown; restaurant: string } {
  const envelope = { timestamp: new Date().toISOString(), guid: crypto.randomUUID() };
  if (event.kind === "inventory") {
    const inventory = state.inventory("toast", event.tenant).map((level) => ({
      guid: level.posItemId,
      status: level.quantity <= 0 ? "OUT_OF_STOCK" : "QUANTITY",
      quantity: level.quantity <= 0 ? null : level.quantity,
    }));
    return {
      body: {
        ...envelope,
        eventCategory: "stock",
        eventType: "inventory_updated",
        details: { restaurantGuid: event.tenant, inventory },
      },
      restaurant: event.tenant,
    };
  }
  const stored = state.toastOrders.get(event.posOrderId);
  if (!stored) throw orderNotFound("toast", event.posOrderId);
  const { tenant, ...order } = stored;
  return {
    body: {
      ...envelope,
      eventCategory: "orders",
      eventType: "order_updated",
      details: { restaurantGuid: tenant, order },
    },
    restaurant: tenant,
  };
}

function localPayload(state: SimulatorState, event: SimulatorWebhookEvent): unknown {
  const envelope = { id: crypto.randomUUID(), createdAt: new Date().toISOString() };
  if (event.kind === "inventory") {
    const levels = state.inventory("local", event.tenant).map((l) => ({ itemId: l.posItemId, quantity: l.quantity }));
    return { ...envelope, type: "inventory.updated", storeId: event.tenant, data: { levels } };
  }
  const order = state.localOrders.get(event.posOrderId);
  if (!order) throw orderNotFound("local", event.posOrderId);
  return {
    ...envelope,
    type: "order.status_changed",
    storeId: order.tenant,
    data: { orderId: order.id, status: order.status },
  };
}

/** Builds the vendor's webhook for the event from the simulator's state, signs it as the vendor would, and POSTs it. */
export async function sendSimulatorWebhook(state: SimulatorState, webhook: SimulatorWebhook): Promise<SentWebhook> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  let body: unknown;
  if (webhook.vendor === "toast") {
    const toast = toastPayload(state, webhook.event);
    body = toast.body;
    headers[TOAST_RESTAURANT_HEADER] = toast.restaurant;
    headers["Toast-Event-Type"] = webhook.event.kind === "inventory" ? "inventory_updated" : "order_updated";
  } else {
    body = webhook.vendor === "square" ? squarePayload(state, webhook.event) : localPayload(state, webhook.event);
  }
  const rawBody = JSON.stringify(body);
  Object.assign(
    headers,
    await signPosWebhook(webhook.vendor, {
      secret: webhook.secret,
      rawBody,
      notificationUrl: webhook.notificationUrl ?? webhook.url,
    }),
  );
  const response = await fetch(webhook.url, { method: "POST", headers, body: rawBody });
  await response.body?.cancel();
  return { status: response.status, rawBody, headers };
}
