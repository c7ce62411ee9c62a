import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";

const NUL = "\u0000";

function containsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === "object") {
    return Object.entries(value).some(([key, inner]) => key.includes(NUL) || containsNul(inner));
  }
  return false;
}

/**
 * Postgres stores no NUL byte (U+0000) in text or JSON, so a request carrying one, in its path,
 * query or JSON body, is refused up front as a 400 `validation_error` rather than failing in the
 * database. Bodies are read once here (Hono keeps them for the handler).
 *
 * @example
 * app.use("*", refuseNul());
 */
export function refuseNul() {
  return createMiddleware<AppEnv>(async function refuseNulMiddleware(c, next) {
    let where: string | null = null;
    // A URL can carry NUL only percent-encoded; this costs a GET one substring search.
    if (c.req.url.includes("%00")) where = "the URL";
    else if (c.req.header("content-type")?.includes("json") && c.req.method !== "GET") {
      const text = await c.req.text();
      if (text.includes(NUL)) where = "the body";
      else if (text.includes("\\u0000") || text.includes("\\U0000")) {
        try {
          if (containsNul(JSON.parse(text))) where = "the body";
        } catch {
          // Not JSON: the route's validation says so.
        }
      }
    }
    if (where)
      throw new AppError(400, "validation_error", `${where} contains a NUL character (U+0000), which cannot be stored`);
    await next();
  });
}
