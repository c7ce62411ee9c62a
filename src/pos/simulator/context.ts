import type { MiddlewareHandler } from "hono";
import type { PosType } from "../types";
import type { FaultInjector } from "./faults";
import { type RequestLimiter, requestTenant } from "./request-limit";
import type { SimulatorState } from "./state";

/** What every vendor's routes share. */
export type SimulatorContext = {
  state: SimulatorState;
  faults: FaultInjector;
  /** Enforces each vendor's `requestLimit` fault. */
  limiter: RequestLimiter;
  /** Page size of paginated lists (Square catalog and inventory), small in tests to exercise cursors. */
  pageSize: number;
  /** Lifetime of a Toast access token. */
  toastTokenTtlSeconds: number;
  /** Settles when the simulator stops, releasing hanging requests. */
  stopped: Promise<void>;
};

export type SimErrorKind =
  | "internal"
  | "unavailable"
  | "rate_limited"
  | "unauthorized"
  | "not_found"
  | "bad_request"
  | "conflict";

export const SIM_ERROR_STATUS: Record<SimErrorKind, number> = {
  internal: 500,
  unavailable: 503,
  rate_limited: 429,
  unauthorized: 401,
  not_found: 404,
  bad_request: 400,
  conflict: 409,
};

/** Each vendor renders an error in its own body shape. */
export type VendorErrorBody = (kind: SimErrorKind, message: string) => unknown;

export function errorResponse(
  render: VendorErrorBody,
  kind: SimErrorKind,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json(render(kind, message), { status: SIM_ERROR_STATUS[kind], headers });
}

function hangUntil(request: AbortSignal, stopped: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    if (request.aborted) return resolve();
    request.addEventListener("abort", () => resolve(), { once: true });
    stopped.then(resolve);
  });
}

/**
 * Counts the request and applies the vendor's faults around the handler:
 * its request limit first (429 over it), then latency, then outage, rate limit, hang or error instead of the
 * handler, or the handler's work followed by a lost (500) answer.
 */
export function faultMiddleware(ctx: SimulatorContext, vendor: PosType, render: VendorErrorBody): MiddlewareHandler {
  return async function applyFaults(c, next) {
    ctx.state.count(vendor, "requests");
    const limit = ctx.faults.get(vendor).requestLimit;
    if (limit) {
      const waitMs = ctx.limiter.take(vendor, requestTenant(vendor, c.req.raw), limit);
      if (waitMs > 0) {
        return errorResponse(render, "rate_limited", "rate limit exceeded", {
          "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))),
        });
      }
    }
    const latency = ctx.faults.latencyMs(vendor);
    if (latency > 0) await Bun.sleep(latency);
    const decision = ctx.faults.decide(vendor);
    switch (decision.kind) {
      case "hang":
        await hangUntil(c.req.raw.signal, ctx.stopped);
        return errorResponse(render, "unavailable", "request hung");
      case "outage":
        return errorResponse(render, "unavailable", "service unavailable (simulated outage)", {
          "retry-after": String(decision.retryAfterSeconds),
        });
      case "rate_limited":
        return errorResponse(render, "rate_limited", "rate limited (simulated)", {
          "retry-after": String(decision.retryAfterSeconds),
        });
      case "error":
        return errorResponse(render, "internal", "internal error (simulated)");
      case "pass":
        await next();
        if (decision.failAfterCommit)
          c.res = errorResponse(render, "internal", "internal error after commit (simulated)");
    }
  };
}

/** Bearer token of a request, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match?.[1]?.trim() ? match[1].trim() : null;
}

/** Reads a JSON body; null when it is absent or not JSON (each vendor answers that its own way). */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return null;
  }
}
