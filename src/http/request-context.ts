import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppDeps } from "../kernel/app-deps";
import type { AppEnv } from "../kernel/app-env";

export const REQUEST_ID_HEADER = "X-Request-Id";
/** A client's X-Request-Id is kept only as a plain token: letters, digits, '-', '_', '.', at most 64. */
const PLAIN_REQUEST_ID = /^[\w.-]{1,64}$/;

/** The request's id: the caller's `X-Request-Id` when it is a plain token, else a new UUID. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && PLAIN_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/**
 * Everything every request needs, in one middleware rather than four (each
 * layer costs a dispatch on every request): the app's deps and services on
 * the context, a request id (the caller's `X-Request-Id` when it is a plain token, else
 * a new UUID, echoed back), then, once the response is ready, the request's
 * latency in `services.httpMetrics` labelled by route pattern (`unmatched`
 * for a 404 without a route) and one access-log line. `responseHeaders` (the API's security
 * headers) go on every response that has not set its own.
 *
 * @example
 * app.use("*", requestContext(deps, services));
 */
export function requestContext(
  deps: AppDeps,
  services: AppEnv["Variables"]["services"],
  responseHeaders: ReadonlyArray<readonly [string, string]> = [],
) {
  const { logger } = deps;
  return createMiddleware<AppEnv>(async function requestContextMiddleware(c, next) {
    c.set("deps", deps);
    c.set("services", services);
    const id = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    c.set("requestId", id);
    const started = performance.now();
    try {
      await next();
      // Set on the finished response (errors included) in one place: cheaper than preparing them
      // before the handler, which makes every response copy a Headers object.
      const headers = c.res.headers;
      headers.set(REQUEST_ID_HEADER, id);
      for (const [name, value] of responseHeaders) if (!headers.has(name)) headers.set(name, value);
    } finally {
      const ms = performance.now() - started;
      const route = routePath(c, -1);
      const status = c.res.status;
      services.httpMetrics.observe(
        c.req.method,
        route === "*" || route === "/*" ? "unmatched" : route,
        status,
        ms / 1000,
      );
      logger.info("request", {
        requestId: id,
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round(ms * 100) / 100,
      });
    }
  });
}
