import type { RouteHandler } from "@hono/zod-openapi";
import { authorize } from "../../auth/policy";
import type { AppEnv } from "../../kernel/app-env";
import type * as routes from "./pos.routes";

export const posWebhook: RouteHandler<typeof routes.posWebhook, AppEnv> = async (c) => {
  const base = c.var.deps.config.PUBLIC_BASE_URL;
  // Square signs the notification URL as registered: behind a proxy that is the public URL.
  const url = base ? `${base.replace(/\/$/, "")}${c.req.path}` : c.req.url;
  const outcome = await c.var.services.posSync.handleWebhook({
    posType: c.req.valid("param").posType,
    rawBody: await c.req.text(),
    headers: c.req.raw.headers,
    url,
  });
  return c.json(outcome, 200);
};

export const syncMenu: RouteHandler<typeof routes.syncMenu, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  authorize(c.var.principal, "pos:sync", id);
  return c.json(await c.var.services.posSync.requestMenuSync(id), 202);
};
