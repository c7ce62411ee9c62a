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
 * Sends a cached read as it is stored (no parse, no re-serialise; the bytes
 * as they are when the in-process layer has them), with its
 * ETag; answers 304 with no body when the client already holds that version.
 */
export function sendCachedJson(c: Context, cached: CachedJson): Response {
  const headers = { etag: cached.etag, "x-cache": cached.source };
  if (matchesEtag(c.req.header("if-none-match"), cached.etag)) return c.body(null, 304, headers);
  const sent = { ...headers, "content-type": "application/json" };
  return cached.bytes ? c.body(cached.bytes as Uint8Array<ArrayBuffer>, 200, sent) : c.body(cached.json, 200, sent);
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
