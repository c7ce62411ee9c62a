import { describe, expect, it } from "bun:test";
import { readRestaurantConfig } from "./restaurant-config";

describe("readRestaurantConfig", () => {
  it("keeps valid fields and defaults malformed ones, one by one", () => {
    const config = readRestaurantConfig({
      taxRateBps: 875,
      deliveryFeeCents: "free",
      openingHours: { mon: ["x"] },
      extra: 1,
    });
    expect(config.taxRateBps).toBe(875);
    expect(config.deliveryFeeCents).toBe(0);
    expect(config.openingHours).toEqual({});
    expect("extra" in config).toBe(false);
  });

  it("gives every default for a missing document", () => {
    expect(readRestaurantConfig(null)).toEqual({
      taxRateBps: 0,
      deliveryFeeCents: 0,
      minimumOrderCents: 0,
      acceptingOrders: true,
      prepTimeMinutes: 20,
      openingHours: {},
    });
  });
});
