import { bodyLimit } from "hono/body-limit";
import { createRouter } from "./http/create-router";
import { fastCachedReads } from "./http/fast-cached-reads";
import { routedPath } from "./http/legacy-paths";
import { onError } from "./http/on-error";
import { openApiDocument, registerSecuritySchemes } from "./http/openapi-document";
import { refuseNul } from "./http/refuse-nul";
import { requestContext } from "./http/request-context";
import { apiSecurityHeaders, documentSecurityHeaders } from "./http/security-headers";
import type { AppDeps } from "./kernel/app-deps";
import { AppError, routeNotFound } from "./kernel/app-error";
import { adminCacheRouter } from "./routes/admin-cache/admin-cache.index";
import { analyticsRouter } from "./routes/analytics/analytics.index";
import { batchesRouter } from "./routes/batches/batches.index";
import { docsRouter } from "./routes/docs/docs.index";
import { healthRouter } from "./routes/health/health.index";
import { loyaltyRouter } from "./routes/loyalty/loyalty.index";
import { meRouter } from "./routes/me/me.index";
import { monitoringRouter } from "./routes/monitoring/monitoring.index";
import { ordersRouter } from "./routes/orders/orders.index";
import { posRouter } from "./routes/pos/pos.index";
import { restaurantOrdersRouter } from "./routes/restaurant-orders/restaurant-orders.index";
import { restaurantsRouter } from "./routes/restaurants/restaurants.index";
import { type AppServices, createAppServices } from "./services/app-services";

/**
 * Builds the Hono app from its dependencies. The same app runs on Bun
 * (src/server.ts), on Workers (src/edge.ts) and in tests (`app.request()`).
 */
export function createApp(deps: AppDeps, services: AppServices = createAppServices(deps)) {
  const app = createRouter({ getPath: routedPath });

  app.use("*", requestContext(deps, services, apiSecurityHeaders(deps.config)));
  if (deps.perRequest) {
    // Workers: this request's cache counts reach Redis before its response (the app dies with it).
    app.use("*", async (_c, next) => {
      await next();
      await services.cache.flushCounters();
    });
  }
  // The HTML pages are browser documents: they get the document headers as well.
  for (const page of ["/dashboard", "/dashboard/*", "/docs", "/docs/*"])
    app.use(page, documentSecurityHeaders(deps.config));
  // Only requests that may carry a body pay for the limit.
  app.on(
    ["POST", "PUT", "PATCH", "DELETE"],
    "*",
    bodyLimit({
      maxSize: deps.config.BODY_LIMIT_BYTES,
      onError: (c) =>
        c.json(
          new AppError(413, "payload_too_large", `body exceeds ${deps.config.BODY_LIMIT_BYTES} bytes`).toBody(),
          413,
        ),
    }),
  );

  app.use("*", refuseNul());

  registerSecuritySchemes(app);

  app.route("/", healthRouter);
  app.route("/", meRouter);
  app.route("/", restaurantsRouter);
  app.route("/", loyaltyRouter);
  app.route("/", ordersRouter);
  app.route("/", posRouter);
  app.route("/", adminCacheRouter);
  app.route("/", analyticsRouter);
  app.route("/", restaurantOrdersRouter);
  app.route("/", monitoringRouter);
  app.route("/", batchesRouter);

  if (deps.config.DOCS_ENABLED) {
    app.get("/openapi.json", (c) =>
      c.json(openApiDocument(app, deps.config.PUBLIC_BASE_URL ?? new URL(c.req.url).origin)),
    );
    app.route("/", docsRouter);
  }

  app.notFound((c) => c.json(routeNotFound(c.req.method, c.req.path).toBody(), 404));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * The app as a Bun server serves it: `fetch` answers the public cached reads it holds before Hono
 * (src/http/fast-cached-reads.ts, ADR 0032) and hands every other request to `app.fetch`. Every
 * `Bun.serve` of the app uses it; Workers and Deno serve `app.fetch` alone.
 *
 * @example
 * const { fetch } = createServedApp(deps);
 * Bun.serve({ port, fetch });
 */
export function createServedApp(deps: AppDeps) {
  const services = createAppServices(deps);
  const app = createApp(deps, services);
  const fetch = fastCachedReads(deps, services, (request, server) => app.fetch(request, server));
  return { app, services, fetch };
}
