import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { branches, menuItemBranchOverrides, menuItems, restaurants } from "../../../db/schema";
import { notFound, unprocessable } from "../../kernel/app-error";
import type { CreateOrderInput } from "../../routes/orders/orders.schemas";
import { pointsEarned } from "../loyalty/loyalty-points";
import { readRestaurantConfig } from "../restaurants/restaurant-config";
import { activeLoyaltyRules } from "../restaurants/restaurants";

/** Prices the order on the server from the menu; throws 404/422 on anything off. */
export async function priceOrder(db: Database, input: CreateOrderInput) {
  const [restaurant, branch, items, rules] = await Promise.all([
    db.query.restaurants.findFirst({
      columns: { id: true, currency: true, config: true },
      where: and(eq(restaurants.id, input.restaurantId), eq(restaurants.active, true)),
    }),
    db.query.branches.findFirst({
      columns: { id: true, active: true },
      where: and(eq(branches.id, input.branchId), eq(branches.restaurantId, input.restaurantId)),
    }),
    db.query.menuItems.findMany({
      columns: { id: true, name: true, priceCents: true, available: true, branchId: true },
      with: {
        branchOverrides: {
          columns: { available: true },
          where: eq(menuItemBranchOverrides.branchId, input.branchId),
        },
      },
      where: and(
        eq(menuItems.restaurantId, input.restaurantId),
        inArray(
          menuItems.id,
          input.items.map((i) => i.menuItemId),
        ),
      ),
    }),
    activeLoyaltyRules(db, input.restaurantId),
  ]);
  if (!restaurant) throw notFound("restaurant");
  if (!branch?.active)
    throw unprocessable("invalid_branch", `branch ${input.branchId} is not an open branch of this restaurant`);
  const config = readRestaurantConfig(restaurant.config);
  if (!config.acceptingOrders) throw unprocessable("not_accepting_orders", "the restaurant is not accepting orders");
  const byId = new Map(items.map((i) => [i.id, i]));
  const lines = input.items.map((line) => {
    const item = byId.get(line.menuItemId);
    if (!item || (item.branchId !== null && item.branchId !== input.branchId)) {
      throw unprocessable("unknown_item", `menu item ${line.menuItemId} is not on this restaurant's menu`);
    }
    if (!(item.branchOverrides[0]?.available ?? item.available))
      throw unprocessable("item_unavailable", `menu item ${line.menuItemId} (${item.name}) is not available`);
    return {
      menuItemId: item.id,
      name: item.name,
      quantity: line.quantity,
      unitPriceCents: item.priceCents,
      totalCents: item.priceCents * line.quantity,
    };
  });
  const subtotalCents = lines.reduce((sum, l) => sum + l.totalCents, 0);
  if (subtotalCents < config.minimumOrderCents) {
    throw unprocessable("below_minimum", `the minimum order is ${config.minimumOrderCents} cents`);
  }
  const reward = input.redeemRewardId === undefined ? null : chosenReward(rules, input.redeemRewardId, subtotalCents);
  // The reward comes off the subtotal before tax; points are earned on what is paid for.
  const discountCents = reward ? Math.min(reward.valueCents, subtotalCents) : 0;
  const payableCents = subtotalCents - discountCents;
  const taxCents = Math.round((payableCents * config.taxRateBps) / 10_000);
  const deliveryFeeCents = input.type === "delivery" ? config.deliveryFeeCents : 0;
  return {
    lines,
    currency: restaurant.currency,
    subtotalCents,
    discountCents,
    reward,
    taxCents,
    deliveryFeeCents,
    totalCents: payableCents + taxCents + deliveryFeeCents,
    loyaltyPointsEarned: pointsEarned(rules, payableCents),
    prepTimeMinutes: config.prepTimeMinutes,
  };
}

/**
 * The reward an order redeems: an active `reward` rule of the restaurant's active programs with a
 * value (what it takes off), whose minimum the subtotal meets. Anything else is a 422.
 */
function chosenReward(
  rules: Awaited<ReturnType<typeof activeLoyaltyRules>>,
  rewardId: number,
  subtotalCents: number,
): { id: number; points: number; valueCents: number } {
  const rule = rules.find((r) => r.id === rewardId && r.ruleType === "reward");
  if (!rule || rule.rewardValueCents === null) {
    throw unprocessable("unknown_reward", `reward ${rewardId} is not a redeemable reward of this restaurant`);
  }
  if (subtotalCents < rule.minOrderCents) {
    throw unprocessable("reward_minimum_not_met", `reward ${rewardId} needs a subtotal of ${rule.minOrderCents} cents`);
  }
  return { id: rule.id, points: rule.points, valueCents: rule.rewardValueCents };
}
