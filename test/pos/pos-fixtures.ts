import type { PosCatalog, PosConnection, PosOrderInput, PosPaymentInput, PosType } from "../../src/pos/types";

let sequence = 0;

/** A fresh id per call, so tests sharing one simulator never share an idempotency key. */
export function nextId(): number {
  sequence += 1;
  return 100_000 + sequence * 7 + Math.floor(Math.random() * 5);
}

export function connectionFor(
  posType: PosType,
  baseUrl: string,
  overrides: Partial<PosConnection> = {},
): PosConnection {
  const credentials: Record<PosType, Record<string, string>> = {
    square: { accessToken: `sq-token-${nextId()}` },
    toast: { clientId: "toast-client", clientSecret: "toast-secret", otherPaymentGuid: "other-payment-guid" },
    local: { accessToken: "local-token" },
  };
  return {
    restaurantId: 1,
    posType,
    baseUrl,
    locationRef: `loc-${posType}-${nextId()}`,
    credentials: credentials[posType],
    ...overrides,
  };
}

export const sampleCatalog: PosCatalog = {
  categories: [
    { posExternalId: "cat-mains", name: "Mains", position: 0 },
    { posExternalId: "cat-drinks", name: "Drinks", position: 1 },
  ],
  items: [
    {
      posExternalId: "item-burger",
      categoryPosExternalId: "cat-mains",
      name: "Burger",
      description: "Beef",
      priceCents: 1250,
      available: true,
    },
    {
      posExternalId: "item-salad",
      categoryPosExternalId: "cat-mains",
      name: "Salad",
      description: "",
      priceCents: 900,
      available: true,
    },
    {
      posExternalId: "item-cola",
      categoryPosExternalId: "cat-drinks",
      name: "Cola",
      description: "Cold",
      priceCents: 300,
      available: false,
    },
  ],
};

export function orderInput(orderId = nextId()): PosOrderInput {
  return {
    orderId,
    type: "pickup",
    currency: "USD",
    subtotalCents: 2800,
    discountCents: 0,
    taxCents: 224,
    deliveryFeeCents: 0,
    totalCents: 3024,
    notes: "no onions",
    lines: [
      {
        posItemId: "item-burger",
        posCategoryId: "cat-mains",
        name: "Burger",
        quantity: 2,
        unitPriceCents: 1250,
        totalCents: 2500,
      },
      {
        posItemId: "item-cola",
        posCategoryId: "cat-drinks",
        name: "Cola",
        quantity: 1,
        unitPriceCents: 300,
        totalCents: 300,
      },
    ],
  };
}

export function paymentInput(posOrderId: string, orderId: number, amountCents = 3024): PosPaymentInput {
  return { paymentId: nextId(), orderId, posOrderId, amountCents, currency: "USD", method: "card" };
}
