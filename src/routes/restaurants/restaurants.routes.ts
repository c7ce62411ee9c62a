import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { etagHeaders, notModifiedResponse } from "../../http/cached-json";
import { bearerSecurity, errorResponses, idParams, jsonContent, publicSecurity } from "../../http/schemas";
import {
  availabilityBodySchema,
  availabilityParams,
  branchAvailabilitySchema,
  categoriesSchema,
  loyaltyRulesSchema,
  menuQuery,
  menuSchema,
  paginationQuery,
  restaurantConfigResponseSchema,
  restaurantConfigUpdateSchema,
  restaurantDetailSchema,
  restaurantPageSchema,
} from "./restaurants.schemas";

const tags = ["Restaurants"];

/** A cached read: its 200 carries an ETag, and `If-None-Match` with that ETag gets a 304. */
const cached = <T extends ReturnType<typeof jsonContent>>(ok: T) => ({
  200: { ...ok, headers: etagHeaders },
  ...notModifiedResponse,
});

export const listRestaurants = createRoute({
  operationId: "listRestaurants",
  security: publicSecurity,
  method: "get",
  path: "/v1/restaurants",
  tags,
  summary: "Active restaurants, paginated",
  request: { query: paginationQuery },
  responses: { 200: jsonContent(restaurantPageSchema, "A page of restaurants"), 400: errorResponses[400] },
});

export const getRestaurant = createRoute({
  operationId: "getRestaurant",
  security: publicSecurity,
  method: "get",
  path: "/v1/restaurants/{id}",
  tags,
  summary: "One restaurant with its branches",
  request: { params: idParams },
  responses: {
    ...cached(jsonContent(restaurantDetailSchema, "The restaurant")),
    400: errorResponses[400],
    404: errorResponses[404],
  },
});

export const getMenu = createRoute({
  operationId: "getRestaurantMenu",
  security: publicSecurity,
  method: "get",
  path: "/v1/restaurants/{id}/menu",
  tags,
  summary: "Menu categories with their items",
  request: { params: idParams, query: menuQuery },
  responses: {
    ...cached(jsonContent(menuSchema, "The menu")),
    400: errorResponses[400],
    404: errorResponses[404],
    422: { ...errorResponses[400], description: "The branch is not the restaurant's" },
  },
});

export const getCategories = createRoute({
  operationId: "listCategories",
  security: publicSecurity,
  method: "get",
  path: "/v1/restaurants/{id}/categories",
  tags,
  summary: "Menu categories, without their items",
  request: { params: idParams },
  responses: {
    ...cached(jsonContent(categoriesSchema, "The categories")),
    400: errorResponses[400],
    404: errorResponses[404],
  },
});

export const getLoyaltyRules = createRoute({
  operationId: "getLoyaltyRules",
  security: publicSecurity,
  method: "get",
  path: "/v1/restaurants/{id}/loyalty-rules",
  tags,
  summary: "Active loyalty rules",
  request: { params: idParams },
  responses: {
    ...cached(jsonContent(loyaltyRulesSchema, "The rules")),
    400: errorResponses[400],
    404: errorResponses[404],
  },
});

export const getConfig = createRoute({
  operationId: "getRestaurantConfig",
  method: "get",
  path: "/v1/restaurants/{id}/config",
  tags,
  summary: "Operational settings (the restaurant's staff and admins)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams },
  responses: { ...cached(jsonContent(restaurantConfigResponseSchema, "The config")), ...errorResponses },
});

export const putConfig = createRoute({
  operationId: "putRestaurantConfig",
  method: "put",
  path: "/v1/restaurants/{id}/config",
  tags,
  summary: "Replace operational settings (owners and admins)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: idParams,
    body: { content: { "application/json": { schema: restaurantConfigUpdateSchema } }, required: true },
  },
  responses: { 200: jsonContent(restaurantConfigResponseSchema, "The updated config"), ...errorResponses },
});

export const setBranchAvailability = createRoute({
  operationId: "setBranchAvailability",
  method: "put",
  path: "/v1/restaurants/{id}/branches/{branchId}/menu-items/{itemId}/availability",
  tags,
  summary: "Mark a menu item (un)available at one branch — 86 it (staff and up)",
  description:
    "Wins over the POS's availability in that branch's menu and orders until cleared, or until a menu pull " +
    "finds that the POS changed the item.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: availabilityParams,
    body: { content: { "application/json": { schema: availabilityBodySchema } }, required: true },
  },
  responses: { 200: jsonContent(branchAvailabilitySchema, "The branch's availability"), ...errorResponses },
});

export const clearBranchAvailability = createRoute({
  operationId: "clearBranchAvailability",
  method: "delete",
  path: "/v1/restaurants/{id}/branches/{branchId}/menu-items/{itemId}/availability",
  tags,
  summary: "Drop the branch's override: the item is again what the POS says (staff and up)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: availabilityParams },
  responses: { 204: { description: "Cleared" }, ...errorResponses },
});
