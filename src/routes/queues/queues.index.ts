import { createRouter } from "../../http/create-router";
import * as handlers from "./queues.handlers";
import * as routes from "./queues.routes";

export const queuesRouter = createRouter()
  .openapi(routes.getOverview, handlers.getOverview)
  .openapi(routes.getMetrics, handlers.getMetrics)
  .openapi(routes.listJobs, handlers.listJobs)
  .openapi(routes.getJob, handlers.getJob)
  .openapi(routes.listPending, handlers.listPending)
  .openapi(routes.listWorkers, handlers.listWorkers)
  .openapi(routes.pauseQueue, handlers.pauseQueue)
  .openapi(routes.resumeQueue, handlers.resumeQueue)
  .openapi(routes.getPosConnections, handlers.getPosConnections);
