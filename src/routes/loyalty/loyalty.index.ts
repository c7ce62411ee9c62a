import { createRouter } from "../../http/create-router";
import * as handlers from "./loyalty.handlers";
import * as routes from "./loyalty.routes";

export const loyaltyRouter = createRouter()
  .openapi(routes.listPrograms, handlers.listPrograms)
  .openapi(routes.createProgram, handlers.createProgram)
  .openapi(routes.updateProgram, handlers.updateProgram)
  .openapi(routes.deleteProgram, handlers.deleteProgram)
  .openapi(routes.createRule, handlers.createRule)
  .openapi(routes.updateRule, handlers.updateRule)
  .openapi(routes.deleteRule, handlers.deleteRule);
