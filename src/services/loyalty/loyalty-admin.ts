import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { loyaltyPrograms, loyaltyRules, restaurants } from "../../../db/schema";
import type { CachingService } from "../../cache/caching-service";
import { notFound } from "../../kernel/app-error";
import type {
  CreateProgramInput,
  CreateRuleInput,
  UpdateProgramInput,
  UpdateRuleInput,
} from "../../routes/loyalty/loyalty.schemas";
import { adminRuleColumns } from "./loyalty-rule-columns";

const ruleColumns = adminRuleColumns;

/**
 * Owners' writes to loyalty programs and rules. Every write is scoped to its restaurant (a program
 * or rule of another restaurant is a 404) and then invalidates `loyalty:{restaurant_id}:rules`, so
 * the next read, and the next order's points, see it.
 */
export function createLoyaltyAdmin(db: Database, cache: CachingService) {
  const invalidate = (restaurantId: number) => cache.invalidate("loyalty_rules", restaurantId);

  async function requireRestaurant(restaurantId: number) {
    const row = await db.query.restaurants.findFirst({
      columns: { id: true },
      where: eq(restaurants.id, restaurantId),
    });
    if (!row) throw notFound("restaurant");
  }

  async function requireProgram(restaurantId: number, programId: number) {
    const row = await db.query.loyaltyPrograms.findFirst({
      columns: { id: true },
      where: and(eq(loyaltyPrograms.id, programId), eq(loyaltyPrograms.restaurantId, restaurantId)),
    });
    if (!row) throw notFound("loyalty program");
  }

  /** One program with its rules (all of them, active or not). */
  async function program(restaurantId: number, programId: number) {
    const [found] = await list(restaurantId, programId);
    if (!found) throw notFound("loyalty program");
    return found;
  }

  async function list(restaurantId: number, programId?: number) {
    const programs = await db.query.loyaltyPrograms.findMany({
      columns: { id: true, restaurantId: true, name: true, active: true },
      where: and(
        eq(loyaltyPrograms.restaurantId, restaurantId),
        programId === undefined ? undefined : eq(loyaltyPrograms.id, programId),
      ),
      orderBy: asc(loyaltyPrograms.id),
      with: { rules: { columns: ruleColumns, orderBy: asc(loyaltyRules.id) } },
    });
    return programs;
  }

  async function rule(restaurantId: number, ruleId: number) {
    const row = await db.query.loyaltyRules.findFirst({
      columns: ruleColumns,
      where: and(eq(loyaltyRules.id, ruleId), eq(loyaltyRules.restaurantId, restaurantId)),
    });
    if (!row) throw notFound("loyalty rule");
    return row;
  }

  return {
    async listPrograms(restaurantId: number) {
      await requireRestaurant(restaurantId);
      return { restaurantId, programs: await list(restaurantId) };
    },

    async createProgram(restaurantId: number, input: CreateProgramInput) {
      await requireRestaurant(restaurantId);
      const [row] = await db
        .insert(loyaltyPrograms)
        .values({ restaurantId, ...input })
        .returning({ id: loyaltyPrograms.id });
      await invalidate(restaurantId);
      return program(restaurantId, row!.id);
    },

    async updateProgram(restaurantId: number, programId: number, input: UpdateProgramInput) {
      const [row] = await db
        .update(loyaltyPrograms)
        .set(input)
        .where(and(eq(loyaltyPrograms.id, programId), eq(loyaltyPrograms.restaurantId, restaurantId)))
        .returning({ id: loyaltyPrograms.id });
      if (!row) throw notFound("loyalty program");
      await invalidate(restaurantId);
      return program(restaurantId, programId);
    },

    /** Deletes the program and its rules (the foreign key cascades). */
    async deleteProgram(restaurantId: number, programId: number) {
      const [row] = await db
        .delete(loyaltyPrograms)
        .where(and(eq(loyaltyPrograms.id, programId), eq(loyaltyPrograms.restaurantId, restaurantId)))
        .returning({ id: loyaltyPrograms.id });
      if (!row) throw notFound("loyalty program");
      await invalidate(restaurantId);
    },

    async createRule(restaurantId: number, input: CreateRuleInput) {
      await requireProgram(restaurantId, input.programId);
      const [row] = await db
        .insert(loyaltyRules)
        .values({ restaurantId, ...input })
        .returning({ id: loyaltyRules.id });
      await invalidate(restaurantId);
      return rule(restaurantId, row!.id);
    },

    async updateRule(restaurantId: number, ruleId: number, input: UpdateRuleInput) {
      const [row] = await db
        .update(loyaltyRules)
        .set(input)
        .where(and(eq(loyaltyRules.id, ruleId), eq(loyaltyRules.restaurantId, restaurantId)))
        .returning({ id: loyaltyRules.id });
      if (!row) throw notFound("loyalty rule");
      await invalidate(restaurantId);
      return rule(restaurantId, ruleId);
    },

    async deleteRule(restaurantId: number, ruleId: number) {
      const [row] = await db
        .delete(loyaltyRules)
        .where(and(eq(loyaltyRules.id, ruleId), eq(loyaltyRules.restaurantId, restaurantId)))
        .returning({ id: loyaltyRules.id });
      if (!row) throw notFound("loyalty rule");
      await invalidate(restaurantId);
    },
  };
}

export type LoyaltyAdmin = ReturnType<typeof createLoyaltyAdmin>;
