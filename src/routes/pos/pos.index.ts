import { authorize } from "../../auth/policy";
import { createRouter } from "../../http/create-router";
import { AppError } from "../../kernel/app-error";
import { handlePosWebhook, requestMenuSync } from "../../services/pos-sync/pos-webhooks";
import * as routes from "./pos.routes";

export const posRouter = createRouter()
  .openapi(routes.posWebhook, async (c) => {
    const { db, redis, config, logger } = c.var.deps;
    const { queue } = c.var.services;
    // Square signs the notification URL as registered: behind a proxy that is the public URL.
    const url = config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL.replace(/\/$/, "")}${c.req.path}` : c.req.url;
    const request = {
      posType: c.req.valid("param").posType,
      rawBody: await c.req.text(),
      headers: c.req.raw.headers,
      url,
    };
    try {
      const outcome = await handlePosWebhook({ db, redis, prefix: config.REDIS_PREFIX, queue, logger }, request);
      return c.json(outcome, 200);
    } catch (error) {
      if (error instanceof AppError) throw error;
      logger.error("webhook not queued", { error: (error as Error).message });
      return c.json(
        { error: { code: "queue_unavailable", message: "could not queue the webhook's work; retry later" } },
        503,
      );
    }
  })
  .openapi(routes.syncMenu, async (c) => {
    const { id } = c.req.valid("param");
    authorize(c.var.principal, "pos:sync", id);
    const { queue } = c.var.services;
    return c.json(await requestMenuSync({ db: c.var.deps.db, queue }, id), 202);
  });
