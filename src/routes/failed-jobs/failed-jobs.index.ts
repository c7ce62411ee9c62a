import { createRouter } from "../../http/create-router";
import * as handlers from "./failed-jobs.handlers";
import * as routes from "./failed-jobs.routes";

export const failedJobsRouter = createRouter()
  .openapi(routes.listFailed, handlers.listFailed)
  .openapi(routes.retryMatching, handlers.retryMatching)
  .openapi(routes.retryFailed, handlers.retryFailed)
  .openapi(routes.deleteFailed, handlers.deleteFailed)
  .openapi(routes.clearFailed, handlers.clearFailed);
