import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { bearerSecurity, errorResponses, idParams, jsonContent } from "../../http/schemas";
import {
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

export const listRestaurants = createRoute({
  method: "get",
  path: "/v1/restaurants",
  tags,
  summary: "Active restaurants, paginated",
  request: { query: paginationQuery },
  responses: { 200: jsonContent(restaurantPageSchema, "A page of restaurants"), 400: errorResponses[400] },
});

export const getRestaurant = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}",
  tags,
  summary: "One restaurant with its branches",
  request: { params: idParams },
  responses: {
    200: jsonContent(restaurantDetailSchema, "The restaurant"),
    400: errorResponses[400],
    404: errorResponses[404],
  },
});

export const getMenu = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/menu",
  tags,
  summary: "Menu categories with their items",
  request: { params: idParams, query: menuQuery },
  responses: {
    200: jsonContent(menuSchema, "The menu"),
    400: errorResponses[400],
    404: errorResponses[404],
    422: { ...errorResponses[400], description: "The branch is not the restaurant's" },
  },
});

export const getLoyaltyRules = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/loyalty-rules",
  tags,
  summary: "Active loyalty rules",
  request: { params: idParams },
  responses: {
    200: jsonContent(loyaltyRulesSchema, "The rules"),
    400: errorResponses[400],
    404: errorResponses[404],
  },
});

export const getConfig = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/config",
  tags,
  summary: "Operational settings (the restaurant's staff and admins)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: idParams },
  responses: { 200: jsonContent(restaurantConfigResponseSchema, "The config"), ...errorResponses },
});

export const putConfig = createRoute({
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
