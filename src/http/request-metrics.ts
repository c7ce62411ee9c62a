import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../kernel/app-env";

/**
 * Times every request into `c.var.services.httpMetrics`, labelled by the matched route pattern
 * (`/v1/orders/:id`), or `unmatched` for a 404 without a route.
 *
 * @example
 * app.use("*", requestMetrics());
 */
export function requestMetrics() {
  return createMiddleware<AppEnv>(async function requestMetricsMiddleware(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c, -1);
      c.var.services.httpMetrics.observe(
        c.req.method,
        route === "*" || route === "/*" ? "unmatched" : route,
        c.res.status,
        (performance.now() - started) / 1000,
      );
    }
  });
}
