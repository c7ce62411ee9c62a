import type { loyaltyRules } from "../../../db/schema";

type Rule = Pick<typeof loyaltyRules.$inferSelect, "ruleType" | "points" | "minOrderCents">;

/**
 * Points an order earns under the restaurant's active rules (of active programs): each
 * `points_per_amount` rule gives `points` per whole currency unit of the subtotal, each
 * `visit_bonus` rule `points` once, both only from their `minOrderCents` up. `reward` rules are
 * what rewards cost; they earn nothing.
 */
export function pointsEarned(rules: readonly Rule[], subtotalCents: number): number {
  let total = 0;
  for (const rule of rules) {
    if (subtotalCents < rule.minOrderCents) continue;
    if (rule.ruleType === "points_per_amount") total += Math.floor(subtotalCents / 100) * rule.points;
    if (rule.ruleType === "visit_bonus") total += rule.points;
  }
  return total;
}
