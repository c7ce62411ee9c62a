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

/** Spellings remembered with what they read (or that they are not answered here) before starting over. */
const MAX_TARGETS = 10_000;
/** Longer than any spelling answered here (`/v1/restaurants/{10 digits}/menu?branchId={10 digits}` is 51). */
const MAX_SPELLING = 64;

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

  /**
   * Each held value's headers but the request id, built once: a Response copies a Headers object
   * faster than it builds one from a plain object.
   */
  const templates = new WeakMap<LocalValue, { ok: Headers; notModified: Headers }>();
  function headersOf(value: LocalValue) {
    let built = templates.get(value);
    if (!built) {
      const ok = new Headers({ "content-type": "application/json", etag: value.etag, "x-cache": "hit" });
      const notModified = new Headers({ etag: value.etag, "x-cache": "hit" });
      for (const [name, v] of security) {
        ok.set(name, v);
        notModified.set(name, v);
      }
      built = { ok, notModified };
      templates.set(value, built);
    }
    return built;
  }

  /** What a spelling answered here reads, found once per spelling (at most `MAX_TARGETS` kept). */
  type Target = {
    entry: CacheEntry;
    path: string;
    ok: (seconds: number) => void;
    notModified: (seconds: number) => void;
  };
  const targets = new Map<string, Target | null>();
  function targetOf(pathAndQuery: string): Target | null {
    // Only short paths under the restaurants are remembered: the map holds no other URL.
    if (pathAndQuery.length > MAX_SPELLING || !pathAndQuery.startsWith("/v1/restaurants/")) return null;
    let target = targets.get(pathAndQuery);
    if (target !== undefined) return target;
    target = null;
    const match = CACHED_READ.exec(pathAndQuery);
    if (match) {
      const [, idText, what = "", branchText] = match;
      const id = Number(idText);
      const branchId = branchText === undefined ? undefined : Number(branchText);
      if (id <= MAX_DB_ID && (branchId === undefined || (what === "menu" && branchId <= MAX_DB_ID))) {
        const read = READS[what as keyof typeof READS];
        target = {
          entry: read.entry(id, branchId),
          path: branchText === undefined ? pathAndQuery : pathAndQuery.slice(0, pathAndQuery.indexOf("?")),
          ok: httpMetrics.series("GET", read.route, 200),
          notModified: httpMetrics.series("GET", read.route, 304),
        };
      }
    }
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(pathAndQuery, target);
    return target;
  }

  function respond(value: LocalValue, target: Target, id: string, ifNoneMatch: string | null, started: number) {
    const headers = headersOf(value);
    const notModified = matchesEtag(ifNoneMatch ?? undefined, value.etag);
    const response = notModified
      ? new Response(null, { status: 304, headers: headers.notModified })
      : new Response(value.body, { status: 200, headers: headers.ok });
    response.headers.set(REQUEST_ID_HEADER, id);
    const ms = performance.now() - started;
    (notModified ? target.notModified : target.ok)(ms / 1000);
    logger.info("request", {
      requestId: id,
      method: "GET",
      path: target.path,
      status: response.status,
      ms: Math.round(ms * 100) / 100,
    });
    return response;
  }

  return function fetchWithFastCachedReads(request, server) {
    if (request.method !== "GET") return fallback(request, server);
    const url = request.url;
    const target = targetOf(url.slice(url.indexOf("/", url.indexOf("://") + 3)));
    if (!target) return fallback(request, server);
    const started = performance.now();
    // Read while the handler runs: Bun reads a request's headers cheaper now than once it has returned.
    const headers = request.headers;
    const requestId = requestIdFrom(headers.get(REQUEST_ID_HEADER));
    const ifNoneMatch = headers.get("if-none-match");
    const answered = cache.localHit<Response>(target.entry, (value) =>
      value ? respond(value, target, requestId, ifNoneMatch, started) : fallback(request, server),
    );
    return answered ?? fallback(request, server);
  };
}
