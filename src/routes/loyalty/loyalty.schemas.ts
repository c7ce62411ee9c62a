import { z } from "@hono/zod-openapi";
import { createSelectSchema } from "drizzle-zod";
import { loyaltyPrograms, loyaltyRules } from "../../../db/schema";
import { dbId, dbIdParam } from "../../http/schemas";
import { adminRuleColumns } from "../../services/loyalty/loyalty-rule-columns";

const pathId = (name: string) => dbIdParam.openapi({ param: { name, in: "path" }, example: 1 });

export const programParams = z.object({ id: pathId("id"), programId: pathId("programId") });
export const ruleParams = z.object({ id: pathId("id"), ruleId: pathId("ruleId") });

const name = z.string().trim().min(1).max(120);
const points = z.number().int().min(0).max(1_000_000);

export const createProgramBodySchema = z
  .strictObject({ name, active: z.boolean().default(true) })
  .openapi("CreateLoyaltyProgram");
export const updateProgramBodySchema = z
  .strictObject({ name: name.optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, { message: "change at least one field" })
  .openapi("UpdateLoyaltyProgram");

const ruleFields = {
  name,
  ruleType: z.enum(["points_per_amount", "visit_bonus", "reward"]).openapi({
    description:
      "points_per_amount: `points` per whole currency unit of the subtotal; visit_bonus: `points` per order; " +
      "reward: what a reward costs in points",
  }),
  points,
  minOrderCents: z.number().int().min(0).max(10_000_000),
  rewardDescription: z.string().trim().max(500).nullable(),
  rewardValueCents: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .nullable()
    .openapi({ description: "reward: what redeeming it takes off an order's subtotal; null: not redeemable online" }),
  active: z.boolean(),
};

export const createRuleBodySchema = z
  .strictObject({
    programId: dbId,
    ...ruleFields,
    minOrderCents: ruleFields.minOrderCents.default(0),
    rewardDescription: ruleFields.rewardDescription.default(null),
    rewardValueCents: ruleFields.rewardValueCents.default(null),
    active: ruleFields.active.default(true),
  })
  .openapi("CreateLoyaltyRule");
export const updateRuleBodySchema = z
  .strictObject({
    name: ruleFields.name.optional(),
    ruleType: ruleFields.ruleType.optional(),
    points: ruleFields.points.optional(),
    minOrderCents: ruleFields.minOrderCents.optional(),
    rewardDescription: ruleFields.rewardDescription.optional(),
    rewardValueCents: ruleFields.rewardValueCents.optional(),
    active: ruleFields.active.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "change at least one field" })
  .openapi("UpdateLoyaltyRule");

export type CreateProgramInput = z.infer<typeof createProgramBodySchema>;
export type UpdateProgramInput = z.infer<typeof updateProgramBodySchema>;
export type CreateRuleInput = z.infer<typeof createRuleBodySchema>;
export type UpdateRuleInput = z.infer<typeof updateRuleBodySchema>;

export const loyaltyRuleSchema = createSelectSchema(loyaltyRules).pick(adminRuleColumns).openapi("LoyaltyRule");

export const loyaltyProgramSchema = createSelectSchema(loyaltyPrograms)
  .pick({ id: true, restaurantId: true, name: true, active: true })
  .extend({ rules: z.array(loyaltyRuleSchema) })
  .openapi("LoyaltyProgram");

export const loyaltyProgramListSchema = z
  .object({ restaurantId: z.number().int(), programs: z.array(loyaltyProgramSchema) })
  .openapi("LoyaltyPrograms");
