import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { bearerSecurity, errorResponses, idParams, jsonContent } from "../../http/schemas";
import {
  createProgramBodySchema,
  createRuleBodySchema,
  loyaltyProgramListSchema,
  loyaltyProgramSchema,
  loyaltyRuleSchema,
  programParams,
  ruleParams,
  updateProgramBodySchema,
  updateRuleBodySchema,
} from "./loyalty.schemas";

const tags = ["Loyalty"];
const body = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });
const deleted = { 204: { description: "Deleted" }, ...errorResponses };

export const listPrograms = createRoute({
  operationId: "listLoyaltyPrograms",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "get",
  path: "/v1/restaurants/{id}/loyalty-programs",
  summary: "Loyalty programs with all their rules (owners and admins)",
  request: { params: idParams },
  responses: { 200: jsonContent(loyaltyProgramListSchema, "The programs"), ...errorResponses },
});

export const createProgram = createRoute({
  operationId: "createLoyaltyProgram",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "post",
  path: "/v1/restaurants/{id}/loyalty-programs",
  summary: "Create a loyalty program (owners and admins)",
  request: { params: idParams, body: body(createProgramBodySchema) },
  responses: { 201: jsonContent(loyaltyProgramSchema, "The new program"), ...errorResponses },
});

export const updateProgram = createRoute({
  operationId: "updateLoyaltyProgram",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "patch",
  path: "/v1/restaurants/{id}/loyalty-programs/{programId}",
  summary: "Rename, activate or deactivate a program (its rules count only while it is active)",
  request: { params: programParams, body: body(updateProgramBodySchema) },
  responses: { 200: jsonContent(loyaltyProgramSchema, "The program"), ...errorResponses },
});

export const deleteProgram = createRoute({
  operationId: "deleteLoyaltyProgram",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "delete",
  path: "/v1/restaurants/{id}/loyalty-programs/{programId}",
  summary: "Delete a program and its rules",
  request: { params: programParams },
  responses: deleted,
});

export const createRule = createRoute({
  operationId: "createLoyaltyRule",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "post",
  path: "/v1/restaurants/{id}/loyalty-rules",
  summary: "Add a rule to one of the restaurant's programs (owners and admins)",
  request: { params: idParams, body: body(createRuleBodySchema) },
  responses: { 201: jsonContent(loyaltyRuleSchema, "The new rule"), ...errorResponses },
});

export const updateRule = createRoute({
  operationId: "updateLoyaltyRule",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "patch",
  path: "/v1/restaurants/{id}/loyalty-rules/{ruleId}",
  summary: "Change a rule",
  request: { params: ruleParams, body: body(updateRuleBodySchema) },
  responses: { 200: jsonContent(loyaltyRuleSchema, "The rule"), ...errorResponses },
});

export const deleteRule = createRoute({
  operationId: "deleteLoyaltyRule",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  method: "delete",
  path: "/v1/restaurants/{id}/loyalty-rules/{ruleId}",
  summary: "Delete a rule",
  request: { params: ruleParams },
  responses: deleted,
});
