import { createRouter } from "../../http/create-router";
import * as handlers from "./pos.handlers";
import * as routes from "./pos.routes";

export const posRouter = createRouter()
  .openapi(routes.posWebhook, handlers.posWebhook)
  .openapi(routes.syncMenu, handlers.syncMenu);
