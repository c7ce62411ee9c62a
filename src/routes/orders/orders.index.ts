import { createRouter } from "../../http/create-router";
import * as handlers from "./orders.handlers";
import * as routes from "./orders.routes";

export const ordersRouter = createRouter()
  .openapi(routes.createOrder, handlers.createOrder)
  .openapi(routes.getOrder, handlers.getOrder)
  .openapi(routes.createPayment, handlers.createPayment)
  .openapi(routes.cancelOrder, handlers.cancelOrder);
