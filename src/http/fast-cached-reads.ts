import { type CacheEntry, cacheEntries } from "../cache/cache-keys";
import type { LocalValue } from "../cache/local-layer";
import type { AppDeps } from "../kernel/app-deps";
import type { AppServices } from "../services/app-services";
import { matchesEtag } from "./cached-json";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-context";
import { MAX_DB_ID } from "./schemas";
import { apiSecurityHeaders } from "./security-headers";

/** What `Bun.serve` calls: the request, and the server (Hono's `env`, where the rate limiter finds the socket). */
export type ServerFetch = (request: Request, server?: unknown) => Response | Promise<Response>;

/**
 * The public cached GETs, in the only spelling answered here: a canonical id (no sign, no
 * leading zero, no `%`), no trailing slash, and no query string except the menu's `branchId`.
 * Every other spelling goes to Hono, whose zod schemas decide (the same 400s as always).
 */
const CACHED_READ =
  /^\/v1\/restaurants\/([1-9]\d{0,9})(?:\/(menu|categories|loyalty-rules))?(?:\?branchId=([1-9]\d{0,9}))?$/;

/** Each read's cache entry and the route label Hono's metrics give it. */
const READS = {
  "": { route: "/v1/restaurants/:id", entry: (id: number) => cacheEntries.restaurantInfo(id) },
  menu: { route: "/v1/restaurants/:id/menu", entry: cacheEntries.menuItems },
  categories: { route: "/v1/restaurants/:id/categories", entry: (id: number) => cacheEntries.categories(id) },
  "loyalty-rules": {
    route: "/v1/restaurants/:id/loyalty-rules",
    entry: (id: number) => cacheEntries.loyaltyRules(id),
  },
} satisfies Record<string, { route: string; entry: (id: number, branchId?: number) => CacheEntry }>;

/**
 * Answers the public cached reads (a restaurant, its menu, categories and loyalty rules) before
 * Hono when this process holds the value and a coalesced generation read confirms it current,
 * exactly as the route would (ADR 0032): the same status, body and headers (request id, the API's
 * security headers, ETag and 304, `x-cache: hit`), the same latency metric and access-log line.
 * Everything else, a first read, a stale value, any unusual spelling, HEAD, every other route,
 * goes to `fallback` (the app's `fetch`) untouched. Bun entry points only: a per-request app
 * (Workers) keeps nothing in process to answer from.
 *
 * @example
 * Bun.serve({ fetch: fastCachedReads(deps, services, (request, server) => app.fetch(request, server)) });
 */
export function fastCachedReads(
  deps: Pick<AppDeps, "config" | "logger" | "perRequest">,
  services: Pick<AppServices, "cache" | "httpMetrics">,
  fallback: ServerFetch,
): ServerFetch {
  if (deps.perRequest) return fallback;
  const { cache, httpMetrics } = services;
  const { logger } = deps;
  const security = apiSecurityHeaders(deps.config);

  function respond(request: Request, path: string, route: string, value: LocalValue, started: number): Response {
    const id = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const notModified = matchesEtag(request.headers.get("if-none-match") ?? undefined, value.etag);
    const headers: Record<string, string> = notModified
      ? { etag: value.etag, "x-cache": "hit", [REQUEST_ID_HEADER]: id }
      : { "content-type": "application/json", etag: value.etag, "x-cache": "hit", [REQUEST_ID_HEADER]: id };
    for (const [name, v] of security) headers[name] = v;
    const status = notModified ? 304 : 200;
    const response = new Response(notModified ? null : value.body, { status, headers });
    const ms = performance.now() - started;
    httpMetrics.observe("GET", route, status, ms / 1000);
    logger.info("request", { requestId: id, method: "GET", path, status, ms: Math.round(ms * 100) / 100 });
    return response;
  }

  return function fetchWithFastCachedReads(request, server) {
    if (request.method !== "GET") return fallback(request, server);
    const url = request.url;
    const match = CACHED_READ.exec(url.slice(url.indexOf("/", url.indexOf("://") + 3)));
    if (!match) return fallback(request, server);
    const started = performance.now();
    const [, idText, what = "", branchText] = match;
    const id = Number(idText);
    const branchId = branchText === undefined ? undefined : Number(branchText);
    if (id > MAX_DB_ID || (branchId !== undefined && (what !== "menu" || branchId > MAX_DB_ID)))
      return fallback(request, server);
    const read = READS[what as keyof typeof READS];
    const hit = cache.localHit(read.entry(id, branchId));
    if (!hit) return fallback(request, server);
    const path = match[3] === undefined ? match[0] : match[0].slice(0, match[0].indexOf("?"));
    return hit.then((value) =>
      value ? respond(request, path, read.route, value, started) : fallback(request, server),
    );
  };
}
