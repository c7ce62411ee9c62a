import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./loyalty.routes";

type Handler<R extends keyof typeof routes> = RouteHandler<(typeof routes)[R], AppEnv>;

export const listPrograms: Handler<"listPrograms"> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  return c.json(await c.var.services.loyalty.listPrograms(id), 200);
};

export const createProgram: Handler<"createProgram"> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  return c.json(await c.var.services.loyalty.createProgram(id, c.req.valid("json")), 201);
};

export const updateProgram: Handler<"updateProgram"> = async (c) => {
  const { id, programId } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  return c.json(await c.var.services.loyalty.updateProgram(id, programId, c.req.valid("json")), 200);
};

export const deleteProgram: Handler<"deleteProgram"> = async (c) => {
  const { id, programId } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  await c.var.services.loyalty.deleteProgram(id, programId);
  return c.body(null, 204);
};

export const createRule: Handler<"createRule"> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  return c.json(await c.var.services.loyalty.createRule(id, c.req.valid("json")), 201);
};

export const updateRule: Handler<"updateRule"> = async (c) => {
  const { id, ruleId } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  return c.json(await c.var.services.loyalty.updateRule(id, ruleId, c.req.valid("json")), 200);
};

export const deleteRule: Handler<"deleteRule"> = async (c) => {
  const { id, ruleId } = c.req.valid("param");
  authorize(c.var.principal, "loyalty:manage", id);
  await c.var.services.loyalty.deleteRule(id, ruleId);
  return c.body(null, 204);
};
