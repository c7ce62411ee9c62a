import type { PosType } from "../types";

/** A vendor's published request limit as the simulator enforces it: a token bucket per tenant. */
export type SimulatedRequestLimit = {
  /** Requests a second a tenant may make on average. */
  perSecond: number;
  /** Requests a tenant may make at once after a quiet spell. */
  burst: number;
};

type Bucket = { tokens: number; at: number };

/**
 * Which tenant a request counts against, as each vendor limits: Square by access token (a
 * seller), Toast by restaurant (`Toast-Restaurant-External-ID`; the token request by client), the
 * local POS by store.
 */
export function requestTenant(vendor: PosType, request: Request): string {
  const headers = request.headers;
  if (vendor === "square") return headers.get("authorization") ?? "";
  if (vendor === "toast") return headers.get("toast-restaurant-external-id") ?? "login";
  return /\/v1\/stores\/([^/]+)/.exec(new URL(request.url).pathname)?.[1] ?? "";
}

/** The token buckets of every (vendor, tenant); a refused request is counted as throttled. */
export class RequestLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #throttled = new Map<PosType, number>();

  /** Takes a token, or says how many ms until one is free. */
  take(vendor: PosType, tenant: string, limit: SimulatedRequestLimit, now = performance.now()): number {
    const key = `${vendor}\n${tenant}`;
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) * limit.perSecond) / 1000);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.#throttled.set(vendor, this.throttled(vendor) + 1);
    return Math.ceil(((1 - bucket.tokens) * 1000) / limit.perSecond);
  }

  /** Requests of the vendor refused with 429 because they were over its limit. */
  throttled(vendor: PosType): number {
    return this.#throttled.get(vendor) ?? 0;
  }

  reset(): void {
    this.#buckets.clear();
    this.#throttled = new Map();
  }
}
