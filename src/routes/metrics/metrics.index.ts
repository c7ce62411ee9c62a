import { createRoute, z } from "@hono/zod-openapi";
import { timingSafeEqual } from "hono/utils/buffer";
import { createRouter } from "../../http/create-router";
import { errorResponses, metricsSecurity } from "../../http/schemas";
import { routeNotFound, unauthorized } from "../../kernel/app-error";
import { metricsExposition } from "../../services/monitoring/metrics-exposition";

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
      description: "Queue depths, attempt counters, runtime / wait / HTTP latency histograms, cache counters",
    },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export const metricsRouter = createRouter().openapi(getMetrics, async (c) => {
  const expected = c.var.deps.config.METRICS_TOKEN;
  // Disabled unless configured: the route does not exist then.
  if (!expected) throw routeNotFound("GET", "/metrics");
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!(await timingSafeEqual(given, expected))) throw unauthorized("the metrics token is missing or wrong");
  const { monitor, cache, httpMetrics } = c.var.services;
  const body = await metricsExposition({ monitor, cache, http: httpMetrics });
  return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});
