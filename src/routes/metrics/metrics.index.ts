import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../http/create-router";
import { errorResponses, metricsSecurity } from "../../http/schemas";
import { routeNotFound, unauthorized } from "../../kernel/app-error";
import { hasMetricsToken } from "../../services/monitoring/metrics-token";

const getMetrics = createRoute({
  operationId: "getPrometheusMetrics",
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics (text exposition); bearer METRICS_TOKEN, 404 when it is not configured",
  security: metricsSecurity,
  responses: {
    200: {
      content: { "text/plain; version=0.0.4": { schema: z.string() } },
      description:
        "Build and process metrics, queue depths, attempt counters, runtime / wait / HTTP / POS latency histograms, POS errors, breaker states, Redis memory, cache counters",
    },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export const metricsRouter = createRouter().openapi(getMetrics, async (c) => {
  const expected = c.var.deps.config.METRICS_TOKEN;
  // Disabled unless configured: the route does not exist then.
  if (!expected) throw routeNotFound("GET", "/metrics");
  if (!(await hasMetricsToken(c.req.header("authorization"), expected)))
    throw unauthorized("the metrics token is missing or wrong");
  const body = await c.var.services.metricsText();
  return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});
