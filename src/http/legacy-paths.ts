import { getPathNoStrict } from "hono/utils/url";

const LEGACY_BULK_RETRY = "/v1/admin/queues/failed/retry";
const LEGACY_PAUSE_RESUME = /^\/v1\/admin\/queues\/([^/]+)\/(pause|resume)$/;

/**
 * The path the router sees: the request's (trailing slash ignored, as with
 * `strict: false`), with the queue routes that moved so that every route
 * fits Hono's RegExpRouter mapped onto their new paths. A param and a literal
 * may not share a segment under one method there (`/queues/{queue}/pause`
 * beside `/queues/failed/…`, `/failed/{id}/retry` beside `/failed/retry`),
 * and one such clash made the whole app fall back to the slower TrieRouter.
 * The old paths keep working; only the new ones are documented.
 */
export function routedPath(request: Request): string {
  const path = getPathNoStrict(request);
  // The cheap test first: almost every request is elsewhere.
  if (path.length < 24 || path.charCodeAt(10) !== 113 /* "q" of /v1/admin/queues */) return path;
  if (path === LEGACY_BULK_RETRY) return "/v1/admin/queues/retry-failed";
  const moved = LEGACY_PAUSE_RESUME.exec(path);
  return moved && moved[1] !== "failed" ? `/v1/admin/queues/${moved[2]}/${moved[1]}` : path;
}
