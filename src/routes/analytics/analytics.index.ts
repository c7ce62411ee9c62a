import { createRouter } from "../../http/create-router";
import * as handlers from "./analytics.handlers";
import * as routes from "./analytics.routes";

export const analyticsRouter = createRouter().openapi(routes.getAnalytics, handlers.getAnalytics);
