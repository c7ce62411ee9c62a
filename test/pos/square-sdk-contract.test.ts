import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { SquareClient, SquareError, serialization } from "square";
import { PaymentDeclinedError } from "../../src/payments/payment-provider";
import { SquarePaymentsProvider } from "../../src/payments/square-payments-provider";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { SquareAdapter } from "../../src/pos/square/square-adapter";
import { connectionFor, nextId, orderInput, paymentInput, sampleCatalog } from "./pos-fixtures";

/**
 * The Square simulator against Square's own contract: Square's official SDK (`square` on npm)
 * drives it, and every request our adapter and payment provider send, and every answer the
 * simulator gives them, is read by the SDK's serializers in strict mode (no unknown field, enum
 * value or union member). A field Square does not have fails here.
 */
const STRICT = {
  unrecognizedObjectKeys: "fail",
  allowUnrecognizedEnumValues: false,
  allowUnrecognizedUnionMembers: false,
  skipValidation: false,
  breadcrumbsPrefix: [],
} as const;

type Schema = {
  parse(raw: unknown, opts: typeof STRICT): { ok: true; value: unknown } | { ok: false; errors: unknown };
};

function strict(schema: Schema, raw: unknown, what: string): void {
  const result = schema.parse(raw, STRICT);
  if (!result.ok) throw new Error(`${what} is not Square's shape: ${JSON.stringify(result.errors)}`);
}

type Exchange = { method: string; path: string; request: unknown; status: number; response: unknown };

/** A fetch that keeps every exchange, to read both sides with the SDK's serializers afterwards. */
function recordingFetch(exchanges: Exchange[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = request.method === "GET" ? undefined : await request.clone().text();
    const response = await fetch(request);
    const text = await response.clone().text();
    exchanges.push({
      method: request.method,
      path: new URL(request.url).pathname.replace(/^\/square/, ""),
      request: body ? JSON.parse(body) : undefined,
      status: response.status,
      response: text ? JSON.parse(text) : undefined,
    });
    return response;
  }) as typeof fetch;
}

/** Square's request and response types for each route the simulator serves. */
function contractOf(method: string, path: string): { request?: Schema; response: Schema } {
  const s = {
    CreateOrderRequest: serialization.CreateOrderRequest,
    CreateOrderResponse: serialization.CreateOrderResponse,
    GetOrderResponse: serialization.GetOrderResponse,
    CreatePaymentResponse: serialization.CreatePaymentResponse,
    GetPaymentResponse: serialization.GetPaymentResponse,
    ListCatalogResponse: serialization.ListCatalogResponse,
    BatchGetInventoryCountsRequest: serialization.BatchGetInventoryCountsRequest,
    BatchGetInventoryCountsResponse: serialization.BatchGetInventoryCountsResponse,
    GetLocationResponse: serialization.GetLocationResponse,
    RefundPaymentResponse: serialization.RefundPaymentResponse,
    GetPaymentRefundResponse: serialization.GetPaymentRefundResponse,
    payments: { CreatePaymentRequest: serialization.payments.CreatePaymentRequest },
    refunds: { RefundPaymentRequest: serialization.refunds.RefundPaymentRequest },
  } as const;
  type Names = Exclude<keyof typeof s, "payments" | "refunds">;
  const typed = s as unknown as Record<Names, Schema> & {
    payments: { CreatePaymentRequest: Schema };
    refunds: { RefundPaymentRequest: Schema };
  };
  if (method === "POST" && path === "/v2/orders")
    return { request: typed.CreateOrderRequest, response: typed.CreateOrderResponse };
  if (method === "GET" && path.startsWith("/v2/orders/")) return { response: typed.GetOrderResponse };
  if (method === "POST" && path === "/v2/payments") {
    return { request: typed.payments.CreatePaymentRequest, response: typed.CreatePaymentResponse };
  }
  if (method === "GET" && path.startsWith("/v2/payments/")) return { response: typed.GetPaymentResponse };
  if (method === "POST" && path === "/v2/refunds") {
    return { request: typed.refunds.RefundPaymentRequest, response: typed.RefundPaymentResponse };
  }
  if (method === "GET" && path.startsWith("/v2/refunds/")) return { response: typed.GetPaymentRefundResponse };
  if (method === "GET" && path === "/v2/catalog/list") return { response: typed.ListCatalogResponse };
  if (method === "POST" && path === "/v2/inventory/counts/batch-retrieve") {
    return { request: typed.BatchGetInventoryCountsRequest, response: typed.BatchGetInventoryCountsResponse };
  }
  if (method === "GET" && path.startsWith("/v2/locations/")) return { response: typed.GetLocationResponse };
  throw new Error(`no Square contract for ${method} ${path}`);
}

function checkAll(exchanges: readonly Exchange[]): void {
  expect(exchanges.length).toBeGreaterThan(0);
  for (const e of exchanges) {
    const contract = contractOf(e.method, e.path);
    if (contract.request) strict(contract.request, e.request, `request ${e.method} ${e.path}`);
    strict(contract.response, e.response, `answer ${e.status} to ${e.method} ${e.path}`);
  }
}

describe("strict reading", () => {
  it("refuses a field, or an enum value, that Square does not have", () => {
    const schema = serialization.CreatePaymentResponse as unknown as Schema;
    const payment = { id: "P1", status: "COMPLETED", amount_money: { amount: 1, currency: "USD" } };
    expect(() => strict(schema, { payment }, "payment")).not.toThrow();
    expect(() => strict(schema, { payment: { ...payment, paid: true } }, "payment")).toThrow(/paid/);
    expect(() =>
      strict(schema, { payment: { ...payment, amount_money: { amount: 1, currency: "XXX1" } } }, "payment"),
    ).toThrow();
  });
});

let sim: PosSimulator;
beforeAll(async () => {
  sim = await startPosSimulator({ randomSeed: 11, pageSize: 2 });
});
afterAll(() => sim.stop());

describe("the Square simulator driven by Square's SDK", () => {
  const exchanges: Exchange[] = [];
  const merchant = `sdk-merchant-${nextId()}`;
  const location = "SDKLOCATION";
  let client: SquareClient;

  beforeAll(() => {
    client = new SquareClient({
      token: merchant,
      baseUrl: sim.baseUrl("square"),
      fetch: recordingFetch(exchanges),
      maxRetries: 0,
    });
    sim.control.seed({ vendor: "square", tenant: merchant, catalog: sampleCatalog });
    sim.control.seed({ vendor: "square", tenant: location, inventory: [{ posItemId: "item-burger", quantity: 4 }] });
  });

  it("creates and reads an order, keeps fields it does not model, and refuses a reused key with a changed request", async () => {
    const pickup = (pickupAt: string) => ({
      idempotencyKey: `sdk-order-${merchant}`,
      order: {
        locationId: location,
        referenceId: "FOODHUB-1",
        lineItems: [
          { name: "Burger", quantity: "2", basePriceMoney: { amount: BigInt(1250), currency: "USD" as const } },
        ],
        fulfillments: [
          { type: "PICKUP" as const, state: "PROPOSED" as const, pickupDetails: { pickupAt, note: "extra napkins" } },
        ],
      },
    });
    const created = await client.orders.create(pickup("2026-12-07T18:00:00Z"));
    expect(created.order?.totalMoney?.amount).toBe(BigInt(2500));
    expect(created.order?.fulfillments?.[0]?.pickupDetails).toEqual({
      pickupAt: "2026-12-07T18:00:00Z",
      note: "extra napkins",
    });
    const again = await client.orders.create(pickup("2026-12-07T18:00:00Z"));
    expect(again.order?.id).toBe(created.order?.id);
    const read = await client.orders.get({ orderId: created.order!.id! });
    expect(read.order?.fulfillments?.[0]?.pickupDetails?.note).toBe("extra napkins");

    const reused = await client.orders.create(pickup("2026-12-07T19:30:00Z")).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(SquareError);
    expect((reused as SquareError).statusCode).toBe(400);
    expect((reused as SquareError).errors[0]).toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      field: "idempotency_key",
    });
    checkAll(exchanges);
  });

  it("charges Sandbox card tokens: cnon:card-nonce-ok completes, cnon:card-nonce-declined is CARD_DECLINED", async () => {
    const charge = (sourceId: string, key: string) =>
      client.payments.create({
        sourceId,
        idempotencyKey: key,
        amountMoney: { amount: BigInt(1999), currency: "USD" },
        autocomplete: true,
        locationId: location,
        referenceId: "FOODHUB-payment-1",
      });
    const ok = await charge("cnon:card-nonce-ok", `sdk-ok-${merchant}`);
    expect(ok.payment).toMatchObject({ status: "COMPLETED", sourceType: "CARD", referenceId: "FOODHUB-payment-1" });
    expect(ok.payment?.cardDetails?.status).toBe("CAPTURED");
    const read = await client.payments.get({ paymentId: ok.payment!.id! });
    expect(read.payment?.id).toBe(ok.payment!.id!);

    const declined = await charge("cnon:card-nonce-declined", `sdk-no-${merchant}`).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(SquareError);
    expect((declined as SquareError).errors[0]).toMatchObject({
      category: "PAYMENT_METHOD_ERROR",
      code: "CARD_DECLINED",
    });
    expect(((declined as SquareError).body as { payment: { status: string } }).payment.status).toBe("FAILED");

    const used = await charge("cnon:card-nonce-already-used", `sdk-used-${merchant}`).catch((e: unknown) => e);
    expect((used as SquareError).errors[0]).toMatchObject({ code: "CARD_TOKEN_USED", field: "source_id" });
    checkAll(exchanges);
  });

  it("refunds a completed payment: PENDING, then COMPLETED when read; the key replays; never more than was paid", async () => {
    const paid = await client.payments.create({
      sourceId: "cnon:card-nonce-ok",
      idempotencyKey: `sdk-refundable-${merchant}`,
      amountMoney: { amount: BigInt(2500), currency: "USD" },
      autocomplete: true,
      locationId: location,
    });
    const paymentId = paid.payment!.id!;
    const refund = (amount: number, key: string) =>
      client.refunds.refundPayment({
        idempotencyKey: key,
        paymentId,
        amountMoney: { amount: BigInt(amount), currency: "USD" },
        reason: "order cancelled",
      });
    const first = await refund(2000, `sdk-refund-${merchant}`);
    expect(first.refund).toMatchObject({ status: "PENDING", paymentId, reason: "order cancelled" });
    expect(first.refund?.amountMoney?.amount).toBe(BigInt(2000));
    const again = await refund(2000, `sdk-refund-${merchant}`);
    expect(again.refund?.id).toBe(first.refund!.id);
    const read = await client.refunds.get({ refundId: first.refund!.id });
    expect(read.refund?.status).toBe("COMPLETED");
    const payment = await client.payments.get({ paymentId });
    expect(payment.payment?.refundedMoney?.amount).toBe(BigInt(2000));
    expect(payment.payment?.refundIds).toEqual([first.refund!.id]);

    const tooMuch = await refund(501, `sdk-refund-more-${merchant}`).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(SquareError);
    expect((tooMuch as SquareError).errors[0]).toMatchObject({
      category: "INVALID_REQUEST_ERROR",
      code: "REFUND_AMOUNT_INVALID",
    });
    const reused = await refund(100, `sdk-refund-${merchant}`).catch((e: unknown) => e);
    expect((reused as SquareError).errors[0]).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    const unknown = await client.refunds
      .refundPayment({
        idempotencyKey: `sdk-refund-none-${merchant}`,
        paymentId: "NOPE",
        amountMoney: { amount: BigInt(1), currency: "USD" },
      })
      .catch((e: unknown) => e);
    expect((unknown as SquareError).statusCode).toBe(404);
    expect(sim.control.refunds("square").filter((r) => r.orderId === paymentId)).toHaveLength(1);
    checkAll(exchanges);
  });

  it("lists the catalog and inventory page by page, and reads the location", async () => {
    const items = [];
    for await (const object of await client.catalog.list({ types: "ITEM,CATEGORY" })) items.push(object);
    expect(items.length).toBe(sampleCatalog.categories.length + sampleCatalog.items.length);
    const counts = [];
    for await (const count of await client.inventory.batchGetCounts({ locationIds: [location] })) counts.push(count);
    expect(counts).toHaveLength(1);
    const found = await client.locations.get({ locationId: location });
    expect(found.location?.id).toBe(location);
    checkAll(exchanges);
  });

  it("answers unknown routes and bad requests in Square's errors[] shape, with the field", async () => {
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.baseUrl("square")}${path}`, {
        method,
        headers: { authorization: `Bearer ${merchant}`, "content-type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    const unknown = await send("GET", "/v2/nothing-here");
    expect(unknown.status).toBe(404);
    const missing = await send("POST", "/v2/payments", { idempotency_key: "k1", source_id: "cnon:card-nonce-ok" });
    expect(missing.status).toBe(400);
    const notJson = await send("POST", "/v2/orders", "{not json");
    expect(notJson.status).toBe(400);
    const bodies = [await unknown.json(), await missing.json(), await notJson.json()];
    for (const body of bodies) strict(serialization.GetPaymentResponse as unknown as Schema, body, "error body");
    expect(bodies[0].errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" });
    expect(bodies[1].errors[0]).toMatchObject({ code: "MISSING_REQUIRED_PARAMETER", field: "amount_money" });
    expect(bodies[2].errors[0]).toMatchObject({ code: "EXPECTED_JSON_BODY" });
  });
});

describe("what our Square adapter and payment provider send and read", () => {
  it("is Square's contract, call by call", async () => {
    const exchanges: Exchange[] = [];
    const fetch = recordingFetch(exchanges);
    const connection = connectionFor("square", sim.baseUrl("square"));
    sim.control.seed({ vendor: "square", tenant: connection.credentials.accessToken!, catalog: sampleCatalog });
    sim.control.seed({
      vendor: "square",
      tenant: connection.locationRef,
      inventory: [{ posItemId: "item-salad", quantity: 3 }],
    });
    const adapter = new SquareAdapter({ connection, fetch });
    const order = await adapter.createOrder(orderInput());
    const rewarded = await adapter.createOrder({ ...orderInput(), discountCents: 400 });
    expect(rewarded.totalCents).toBe(order.totalCents - 400);
    await adapter.fetchOrderStatus(order.posOrderId);
    const posPaymentId = nextId();
    const recorded = await adapter.recordPayment(paymentInput(order.posOrderId, posPaymentId));
    const posRefund = await adapter.recordRefund({
      paymentId: posPaymentId,
      orderId: 1,
      posOrderId: order.posOrderId,
      posPaymentId: recorded.posPaymentId,
      amountCents: recorded.amountCents,
      currency: "USD",
    });
    expect(posRefund.amountCents).toBe(recorded.amountCents);
    expect((await adapter.fetchCatalog()).items).toHaveLength(sampleCatalog.items.length);
    expect(await adapter.fetchInventory()).toEqual([{ posItemId: "item-salad", quantity: 3 }]);
    expect((await adapter.healthCheck()).ok).toBe(true);

    const provider = new SquarePaymentsProvider({
      baseUrl: sim.baseUrl("square"),
      accessToken: `provider-${nextId()}`,
      locationId: "PROVIDERLOCATION",
      timeoutMs: 5_000,
      fetch,
    });
    const paymentId = nextId();
    const charged = await provider.charge({
      paymentId,
      orderId: 1,
      sourceId: "cnon:card-nonce-ok",
      amountCents: 1234,
      currency: "USD",
    });
    expect(charged.status).toBe("completed");
    expect((await provider.getPayment(charged.providerPaymentId)).providerStatus).toBe("COMPLETED");
    const refund = {
      paymentId,
      orderId: 1,
      providerPaymentId: charged.providerPaymentId,
      amountCents: 1234,
      currency: "USD",
    };
    const refunded = await provider.refund(refund);
    expect(refunded).toMatchObject({ status: "pending", providerStatus: "PENDING", amountCents: 1234 });
    expect((await provider.refund(refund)).providerRefundId).toBe(refunded.providerRefundId);
    expect((await provider.getRefund(refunded.providerRefundId)).status).toBe("completed");
    const declined = await provider
      .charge({
        paymentId: nextId(),
        orderId: 1,
        sourceId: "cnon:card-nonce-rejected-cvv",
        amountCents: 5,
        currency: "USD",
      })
      .catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(PaymentDeclinedError);
    expect((declined as PaymentDeclinedError).code).toBe("CVV_FAILURE");

    expect(
      new Set(
        exchanges.map(
          (e) => `${e.method} ${e.path.replace(/\/v2\/(orders|payments|refunds|locations)\/.+/, "/v2/$1/{id}")}`,
        ),
      ),
    ).toEqual(
      new Set([
        "POST /v2/orders",
        "GET /v2/orders/{id}",
        "POST /v2/payments",
        "GET /v2/payments/{id}",
        "POST /v2/refunds",
        "GET /v2/refunds/{id}",
        "GET /v2/catalog/list",
        "POST /v2/inventory/counts/batch-retrieve",
        "GET /v2/locations/{id}",
      ]),
    );
    checkAll(exchanges);
  });
});
