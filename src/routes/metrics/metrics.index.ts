import { createRoute, z } from "@hono/zod-openapi";
import { timingSafeEqual } from "hono/utils/buffer";
import { createRouter } from "../../http/create-router";
import { bearerSecurity, errorResponses } from "../../http/schemas";
import { metricsExposition } from "../../services/monitoring/metrics-exposition";

const getMetrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics (text exposition); bearer METRICS_TOKEN, 404 when it is not configured",
  security: bearerSecurity,
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
  if (!expected) return c.json({ error: { code: "route_not_found", message: "no route for GET /metrics" } }, 404);
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!(await timingSafeEqual(given, expected))) {
    return c.json({ error: { code: "unauthorized", message: "the metrics token is missing or wrong" } }, 401);
  }
  const { monitor, cache, httpMetrics } = c.var.services;
  const body = await metricsExposition({ monitor, cache, http: httpMetrics });
  return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});
