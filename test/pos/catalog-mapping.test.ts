import { describe, expect, it } from "bun:test";
import { catalogFromSquare, SQUARE_UNCATEGORIZED_ID } from "../../src/pos/square/square-adapter";
import { catalogFromToast } from "../../src/pos/toast/toast-adapter";

describe("vendor catalogs mapped onto our menu", () => {
  it("flattens Toast's nested groups and keeps an item listed twice in its first group", () => {
    const catalog = catalogFromToast({
      restaurantGuid: "r",
      menus: [
        {
          guid: "m1",
          name: "Lunch",
          menuGroups: [
            {
              guid: "g-mains",
              name: "Mains",
              menuItems: [{ guid: "i-burger", name: "Burger", price: 12.5 }],
              menuGroups: [
                {
                  guid: "g-veg",
                  name: "Veggie",
                  menuItems: [{ guid: "i-salad", name: "Salad", price: null }],
                  menuGroups: [],
                },
              ],
            },
          ],
        },
        {
          guid: "m2",
          name: "Dinner",
          menuGroups: [
            {
              guid: "g-late",
              name: "Late",
              menuItems: [{ guid: "i-burger", name: "Burger", price: 14 }],
              menuGroups: [],
            },
          ],
        },
      ],
    });
    expect(catalog.categories.map((c) => [c.posExternalId, c.position])).toEqual([
      ["g-mains", 0],
      ["g-veg", 1],
      ["g-late", 2],
    ]);
    expect(catalog.items.map((i) => [i.posExternalId, i.categoryPosExternalId, i.priceCents])).toEqual([
      ["i-burger", "g-mains", 1250],
      ["i-salad", "g-veg", 0],
    ]);
  });

  it("puts Square items without a known category under one Uncategorized category and skips deleted objects", () => {
    const catalog = catalogFromSquare([
      { type: "CATEGORY", id: "C1", category_data: { name: "Drinks" } },
      { type: "CATEGORY", id: "C2", is_deleted: true, category_data: { name: "Old" } },
      {
        type: "ITEM",
        id: "I1",
        item_data: {
          name: "Tea",
          category_id: "C1",
          variations: [
            {
              type: "ITEM_VARIATION",
              id: "V1",
              item_variation_data: { price_money: { amount: 250, currency: "USD" } },
            },
          ],
        },
      },
      {
        type: "ITEM",
        id: "I2",
        item_data: {
          name: "Scone",
          categories: [{ id: "C2" }],
          variations: [{ type: "ITEM_VARIATION", id: "V2" }],
        },
      },
      { type: "ITEM", id: "I3", item_data: { name: "No variations" } },
    ]);
    expect(catalog.categories.map((c) => c.posExternalId)).toEqual(["C1", SQUARE_UNCATEGORIZED_ID]);
    expect(catalog.items.map((i) => [i.posExternalId, i.categoryPosExternalId, i.priceCents])).toEqual([
      ["V1", "C1", 250],
      ["V2", SQUARE_UNCATEGORIZED_ID, 0],
    ]);
  });
});
