import { createRouter } from "../../http/create-router";
import * as handlers from "./admin-cache.handlers";
import * as routes from "./admin-cache.routes";

export const adminCacheRouter = createRouter()
  .openapi(routes.getStats, handlers.getStats)
  .openapi(routes.warmUp, handlers.warmUp)
  .openapi(routes.invalidate, handlers.invalidate);
