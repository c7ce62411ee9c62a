import { type AppError, routeNotFound, unauthorized } from "../src/kernel/app-error";
import { hasMetricsToken } from "../src/services/monitoring/metrics-token";

export type MetricsServer = { port: number; url: string; stop(): Promise<void> };

/**
 * The worker's `--metrics-port`: `GET /metrics` from this process, under the API's rule (bearer
 * METRICS_TOKEN), so Prometheus scrapes every worker as well as the API. Anything else is a 404.
 *
 * @example
 * const server = serveWorkerMetrics({ port: 9464, token: config.METRICS_TOKEN, render: runtime.metricsText });
 */
export function serveWorkerMetrics(options: {
  port: number;
  hostname?: string;
  token: string;
  render: () => Promise<string>;
}): MetricsServer {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method !== "GET" || pathname !== "/metrics") {
        return errorResponse(routeNotFound(request.method, pathname));
      }
      if (!(await hasMetricsToken(request.headers.get("authorization") ?? undefined, options.token))) {
        return errorResponse(unauthorized("the metrics token is missing or wrong"));
      }
      return new Response(await options.render(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    },
  });
  const host = options.hostname && options.hostname !== "0.0.0.0" ? options.hostname : "127.0.0.1";
  return {
    port: server.port ?? options.port,
    url: `http://${host}:${server.port}/metrics`,
    stop: () => server.stop(true),
  };
}

function errorResponse(error: AppError): Response {
  return Response.json(error.toBody(), { status: error.status });
}
