import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../config";

const HSTS = "max-age=31536000; includeSubDomains";

/**
 * The headers every API response carries, errors included (OWASP's REST
 * Security cheat sheet): no MIME sniffing, never framed, no Referer, not
 * readable by other origins' no-cors requests, and HSTS where the API is
 * served over HTTPS (production). The browser-document headers (COOP,
 * Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) say nothing to a JSON
 * client and cost every response a header: the HTML pages (the dashboard,
 * `/docs`) get them from `documentSecurityHeaders`.
 */
export function apiSecurityHeaders(config: Pick<Config, "NODE_ENV">): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "no-referrer"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
  ];
  if (config.NODE_ENV === "production") headers.push(["Strict-Transport-Security", HSTS]);
  return headers;
}

/**
 * Hono's full set for the HTML pages, on top of the API's: a page is a
 * browser document, so the document-only headers apply there.
 *
 * @example
 * router.use("/dashboard/*", documentSecurityHeaders(config));
 */
export function documentSecurityHeaders(config: Pick<Config, "NODE_ENV">) {
  return secureHeaders({
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    strictTransportSecurity: config.NODE_ENV === "production" ? HSTS : false,
  });
}
