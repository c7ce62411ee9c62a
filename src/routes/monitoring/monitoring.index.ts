import { createRouter } from "../../http/create-router";
import { dashboardRouter } from "../dashboard/dashboard.index";
import { failedJobsRouter } from "../failed-jobs/failed-jobs.index";
import { metricsRouter } from "../metrics/metrics.index";
import { queuesRouter } from "../queues/queues.index";

/** Everything queue monitoring adds to the app, mounted with one `app.route("/", monitoringRouter)`. */
export const monitoringRouter = createRouter()
  .route("/", queuesRouter)
  .route("/", failedJobsRouter)
  .route("/", metricsRouter)
  .route("/", dashboardRouter);
