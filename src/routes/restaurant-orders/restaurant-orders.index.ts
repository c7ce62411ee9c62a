import { createRouter } from "../../http/create-router";
import * as handlers from "./restaurant-orders.handlers";
import * as routes from "./restaurant-orders.routes";

export const restaurantOrdersRouter = createRouter()
  .openapi(routes.exportOrders, handlers.exportOrders)
  .openapi(routes.listOrders, handlers.listOrders);
