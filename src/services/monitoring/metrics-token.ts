import { timingSafeEqual } from "hono/utils/buffer";

/**
 * The `/metrics` bearer rule, shared by the API route and the worker's metrics port: the
 * `Authorization: Bearer <METRICS_TOKEN>` header must match, compared in constant time.
 */
export async function hasMetricsToken(authorization: string | undefined, expected: string): Promise<boolean> {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? "";
  return timingSafeEqual(given, expected);
}
