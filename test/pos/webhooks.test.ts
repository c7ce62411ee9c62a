import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHmac } from "node:crypto";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { PosConnection, PosType } from "../../src/pos/types";
import { parsePosWebhook } from "../../src/pos/webhook-events";
import {
  constantTimeEqual,
  LOCAL_SIGNATURE_HEADER,
  SQUARE_SIGNATURE_HEADER,
  signSquareWebhook,
  signToastWebhook,
  TOAST_SIGNATURE_HEADER,
  verifyPosWebhook,
} from "../../src/pos/webhook-signatures";
import { connectionFor, orderInput } from "./pos-fixtures";

type Received = { rawBody: string; headers: Headers; url: string };

let sim: PosSimulator;
let receiver: ReturnType<typeof Bun.serve>;
const received: Received[] = [];
const SECRET = "whsec-test-0123456789";

beforeAll(async () => {
  sim = await startPosSimulator();
  // A stand-in for our webhook route: it keeps the raw bytes, which is what signatures cover.
  receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      received.push({ rawBody: await request.text(), headers: request.headers, url: request.url });
      return new Response(null, { status: 204 });
    },
  });
});
afterAll(async () => {
  await receiver.stop(true);
  await sim.stop();
});

function hookUrl(vendor: PosType): string {
  return `http://127.0.0.1:${receiver.port}/v1/webhooks/pos/${vendor}`;
}

async function placeOrder(vendor: PosType): Promise<{ connection: PosConnection; posOrderId: string }> {
  const connection = connectionFor(vendor, sim.baseUrl(vendor));
  const order = await createPosAdapter({ connection }).createOrder(orderInput());
  return { connection, posOrderId: order.posOrderId };
}

async function deliver(vendor: PosType, event: Parameters<PosSimulator["control"]["sendWebhook"]>[0]["event"]) {
  const sent = await sim.control.sendWebhook({ vendor, url: hookUrl(vendor), secret: SECRET, event });
  expect(sent.status).toBe(204);
  const last = received.at(-1)!;
  expect(last.rawBody).toBe(sent.rawBody);
  return last;
}

describe("webhook signatures", () => {
  it("computes Square's signature as base64 HMAC-SHA256 of notification URL + body", async () => {
    const body = '{"event_id":"e1"}';
    const expected = createHmac("sha256", "key").update(`https://example.com/hook${body}`).digest("base64");
    expect(await signSquareWebhook("key", "https://example.com/hook", body)).toBe(expected);
  });

  it("computes Toast's signature as base64 HMAC-SHA256 of body + envelope timestamp", async () => {
    const body = '{"timestamp":"2026-01-01T00:00:00.000Z","guid":"g"}';
    const expected = createHmac("sha256", "s").update(`${body}2026-01-01T00:00:00.000Z`).digest("base64");
    expect(await signToastWebhook("s", body)).toBe(expected);
  });

  for (const vendor of ["square", "toast", "local"] as const) {
    it(`accepts a ${vendor} webhook sent by the simulator and rejects it once tampered with`, async () => {
      const { posOrderId } = await placeOrder(vendor);
      sim.control.setOrderStatus(vendor, posOrderId, "ready");
      const hook = await deliver(vendor, { kind: "order_status", posOrderId });
      const request = { secret: SECRET, rawBody: hook.rawBody, headers: hook.headers, notificationUrl: hook.url };
      expect(await verifyPosWebhook(vendor, request)).toBe(true);

      const tampered = hook.rawBody.replace(posOrderId, `${posOrderId}X`);
      expect(await verifyPosWebhook(vendor, { ...request, rawBody: tampered })).toBe(false);
      expect(await verifyPosWebhook(vendor, { ...request, secret: "another-secret" })).toBe(false);
      expect(await verifyPosWebhook(vendor, { ...request, headers: new Headers() })).toBe(false);
      expect(await verifyPosWebhook(vendor, { ...request, secret: "" })).toBe(false);

      expect(parsePosWebhook(vendor, hook.rawBody)).toMatchObject({
        kind: "order_status",
        posOrderId,
        status: "ready",
      });
    });
  }

  it("ties a Square signature to the notification URL", async () => {
    const { posOrderId } = await placeOrder("square");
    const hook = await deliver("square", { kind: "order_status", posOrderId });
    expect(hook.headers.get(SQUARE_SIGNATURE_HEADER)).toBeTruthy();
    const request = { secret: SECRET, rawBody: hook.rawBody, headers: hook.headers };
    expect(await verifyPosWebhook("square", { ...request, notificationUrl: `${hook.url}/` })).toBe(false);
    expect(await verifyPosWebhook("square", request)).toBe(false);
  });

  it("accepts the local signature in upper-case hex", async () => {
    const { posOrderId } = await placeOrder("local");
    const hook = await deliver("local", { kind: "order_status", posOrderId });
    const headers = new Headers({ [LOCAL_SIGNATURE_HEADER]: hook.headers.get(LOCAL_SIGNATURE_HEADER)!.toUpperCase() });
    expect(await verifyPosWebhook("local", { secret: SECRET, rawBody: hook.rawBody, headers })).toBe(true);
  });

  it("compares in constant time without mistaking prefixes or lengths", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "a")).toBe(false);
  });
});

describe("webhook events", () => {
  for (const vendor of ["square", "toast", "local"] as const) {
    it(`turns a ${vendor} stock webhook into inventory levels`, async () => {
      const tenant = `stock-${vendor}-${crypto.randomUUID()}`;
      sim.control.seed({
        vendor,
        tenant,
        inventory: [
          { posItemId: "item-burger", quantity: 3 },
          { posItemId: "item-cola", quantity: 0 },
        ],
      });
      const hook = await deliver(vendor, { kind: "inventory", tenant });
      if (vendor === "toast") expect(hook.headers.get(TOAST_SIGNATURE_HEADER)).toBeTruthy();
      expect(
        await verifyPosWebhook(vendor, {
          secret: SECRET,
          rawBody: hook.rawBody,
          headers: hook.headers,
          notificationUrl: hook.url,
        }),
      ).toBe(true);
      expect(parsePosWebhook(vendor, hook.rawBody)).toMatchObject({
        kind: "inventory",
        locationRef: tenant,
        levels: [
          { posItemId: "item-burger", quantity: 3 },
          { posItemId: "item-cola", quantity: 0 },
        ],
      });
    });
  }

  it("leaves Square's order.updated of an open order without a status, to be fetched", () => {
    const body = JSON.stringify({
      type: "order.updated",
      event_id: "evt-1",
      data: {
        type: "order",
        id: "O1",
        object: { order_updated: { order_id: "O1", state: "OPEN", location_id: "L1" } },
      },
    });
    expect(parsePosWebhook("square", body)).toEqual({
      kind: "order_status",
      eventId: "evt-1",
      posOrderId: "O1",
      status: null,
      locationRef: "L1",
    });
  });

  it("ignores event types we do not act on and refuses malformed bodies", () => {
    const payment = JSON.stringify({ type: "payment.created", event_id: "evt-2", data: { object: {} } });
    expect(parsePosWebhook("square", payment)).toBeNull();
    expect(() => parsePosWebhook("local", JSON.stringify({ id: "x", type: "order.status_changed" }))).toThrow();
    expect(() => parsePosWebhook("toast", "not json")).toThrow();
  });

  it("sends a webhook through the control API", async () => {
    const { posOrderId } = await placeOrder("local");
    const response = await fetch(`${sim.url}/__control/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        vendor: "local",
        url: hookUrl("local"),
        secret: SECRET,
        event: { kind: "order_status", posOrderId },
      }),
    });
    expect(await response.json()).toEqual({ status: 204 });
    expect(parsePosWebhook("local", received.at(-1)!.rawBody)).toMatchObject({ posOrderId, status: "accepted" });
  });
});
