import type { Context } from "hono";
import type { CachedJson } from "../cache/caching-service";

/** True when an `If-None-Match` header names the ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => {
    const candidate = tag.trim();
    return candidate === "*" || candidate.replace(/^W\//, "") === bare;
  });
}

/**
 * Sends a cached read as it is stored (no parse, no re-serialise; the in-process layer's Blob,
 * shared rather than copied, when it has one), with its ETag; answers 304 with no body when the
 * client already holds that version. The Response is built here, with its headers as a plain
 * object: Hono's `c.body` turns several headers into a `Headers` object that the Response then
 * copies, which cost a menu hit more than everything else it does. Headers set with `c.header()`
 * before it are therefore not carried: a cached GET route sets none (requestContext adds the
 * request id and security headers to the finished response).
 */
export function sendCachedJson(c: Context, cached: CachedJson): Response {
  if (matchesEtag(c.req.header("if-none-match"), cached.etag))
    return new Response(null, { status: 304, headers: { etag: cached.etag, "x-cache": cached.source } });
  return new Response(cached.body ?? cached.json, {
    status: 200,
    headers: { "content-type": "application/json", etag: cached.etag, "x-cache": cached.source },
  });
}

/** The 304 answer a cached GET documents (it has no body). */
export const notModifiedResponse = { 304: { description: "Not modified: the `If-None-Match` ETag is current" } };

/** The headers a cached GET documents on its 200. */
export const etagHeaders = {
  ETag: {
    description: "Version of the representation; send it back in `If-None-Match`",
    schema: { type: "string" as const },
  },
};
