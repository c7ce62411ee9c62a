import { createRouter } from "../../http/create-router";
import * as handlers from "./restaurants.handlers";
import * as routes from "./restaurants.routes";

export const restaurantsRouter = createRouter()
  .openapi(routes.listRestaurants, handlers.listRestaurants)
  .openapi(routes.getRestaurant, handlers.getRestaurant)
  .openapi(routes.getMenu, handlers.getMenu)
  .openapi(routes.getCategories, handlers.getCategories)
  .openapi(routes.getLoyaltyRules, handlers.getLoyaltyRules)
  .openapi(routes.getConfig, handlers.getConfig)
  .openapi(routes.putConfig, handlers.putConfig)
  .openapi(routes.setBranchAvailability, handlers.setBranchAvailability)
  .openapi(routes.clearBranchAvailability, handlers.clearBranchAvailability);
