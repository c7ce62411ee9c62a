import type { z } from "zod";
import { PosError, PosNotFoundError, PosRejectedError, PosRetryableError } from "./errors";
import { type PosCallMetrics, processPosCallMetrics } from "./pos-call-metrics";
import type { PosAdapterOptions, PosThrottle, PosType } from "./types";

/** A `Retry-After` up to this long is waited out inline unless the adapter options say otherwise. */
export const DEFAULT_MAX_INLINE_RETRY_AFTER_MS = 2_000;
/** A 429 without a `Retry-After` pauses the connection this long. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;

/** The vendor's own error body, reduced to a code and a message. */
export type PosErrorDescription = { code?: string; message: string };

export type PosHttpOptions = {
  posType: PosType;
  baseUrl: string;
  /** Deadline of one HTTP exchange, body included. */
  timeoutMs: number;
  /**
   * A 429/503 whose `Retry-After` is at most this long is waited out once,
   * inline; a longer one is thrown as `PosRetryableError.retryAfterMs` so the
   * job is released for that long instead of holding a worker slot.
   */
  maxInlineRetryAfterMs: number;
  describeError: (status: number, body: unknown) => PosErrorDescription;
  /** The connection's rate limit: asked before every request, told of every 429. */
  throttle?: PosThrottle;
  fetch?: typeof fetch;
  /** Where each exchange's latency and error are counted (default: this process's). */
  metrics?: PosCallMetrics;
};

export type PosRequest = {
  method: "GET" | "POST" | "PUT";
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
};

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `Retry-After` as delta-seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** JSON over HTTP to one POS with a deadline per call, error classification and Retry-After handling. */
export class PosHttpClient {
  readonly #options: PosHttpOptions;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #metrics: PosCallMetrics;

  constructor(options: PosHttpOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    // Called unbound: workerd rejects the global fetch called as a method of another object.
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#metrics = options.metrics ?? processPosCallMetrics;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** Sends the request and returns the parsed body of a 2xx answer, validated by `schema`. */
  async json<T extends z.ZodType>(request: PosRequest, schema: T): Promise<z.infer<T>> {
    const body = await this.#withInlineRetry(request);
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    // A 2xx we cannot read is the POS's fault, not our request's; another try may meet a healthy node.
    throw new PosRetryableError({
      posType: this.#options.posType,
      reason: "server",
      message: `${this.#options.posType}: unexpected response to ${request.method} ${request.path}: ${parsed.error.message}`,
      cause: parsed.error,
    });
  }

  async #withInlineRetry(request: PosRequest): Promise<unknown> {
    try {
      return await this.#once(request);
    } catch (error) {
      const wait = error instanceof PosRetryableError ? error.retryAfterMs : undefined;
      if (wait === undefined || wait > this.#options.maxInlineRetryAfterMs) throw error;
      await sleep(wait, request.signal);
      return this.#once(request);
    }
  }

  #url(request: PosRequest): string {
    const url = new URL(`${this.#options.baseUrl}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url.toString();
  }

  /** One exchange, timed and counted (an inline retry is a second exchange). */
  async #once(request: PosRequest): Promise<unknown> {
    // Waiting for the connection's rate-limit token is not the POS's latency.
    await this.#options.throttle?.acquire(request.signal);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const body = await this.#exchange(request);
      this.#metrics.observe(this.#options.posType, seconds());
      return body;
    } catch (error) {
      const reason = error instanceof PosError ? error.reason : "aborted";
      this.#metrics.observe(this.#options.posType, seconds(), reason);
      throw error;
    }
  }

  async #exchange(request: PosRequest): Promise<unknown> {
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    let status: number;
    let responseHeaders: Headers;
    let text: string;
    try {
      const response = await this.#fetch(this.#url(request), {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
      });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      throw this.#transportError(error, request, deadline);
    }
    const body = parseJson(text);
    if (status >= 200 && status < 300) return body;
    const error = this.#statusError(status, responseHeaders, body, request);
    // Every worker holds off this connection for as long as the POS asked, not only this caller.
    if (status === 429 && this.#options.throttle) {
      const retryAfterMs = (error as PosRetryableError).retryAfterMs;
      await this.#options.throttle.pause(retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
    }
    throw error;
  }

  #transportError(error: unknown, request: PosRequest, deadline: AbortSignal): unknown {
    // The caller gave up (job timeout, shutdown): not the POS's fault, so pass their reason through untouched.
    if (request.signal?.aborted) return request.signal.reason;
    const { posType, timeoutMs } = this.#options;
    const what = `${request.method} ${request.path}`;
    if (deadline.aborted) {
      return new PosRetryableError({
        posType,
        reason: "timeout",
        message: `${posType}: ${what} timed out after ${timeoutMs} ms`,
        cause: error,
      });
    }
    return new PosRetryableError({
      posType,
      reason: "network",
      message: `${posType}: ${what} failed: ${(error as Error).message}`,
      cause: error,
    });
  }

  #statusError(status: number, headers: Headers, body: unknown, request: PosRequest): Error {
    const { posType } = this.#options;
    const described = this.#options.describeError(status, body);
    const init = {
      posType,
      status,
      code: described.code,
      message: `${posType}: ${request.method} ${request.path} → ${status}: ${described.message}`,
    };
    if (status === 429) {
      return new PosRetryableError({
        ...init,
        reason: "rate_limited",
        retryAfterMs: parseRetryAfter(headers.get("retry-after")),
      });
    }
    if (status >= 500 || status === 408) {
      return new PosRetryableError({
        ...init,
        reason: "server",
        retryAfterMs: parseRetryAfter(headers.get("retry-after")),
      });
    }
    if (status === 404) return new PosNotFoundError({ ...init, reason: "not_found" });
    if (status === 401 || status === 403) return new PosRejectedError({ ...init, reason: "auth" });
    return new PosRejectedError({ ...init, reason: "validation" });
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The HTTP client an adapter builds from its options: the connection's base URL, the caller's
 * deadline or the vendor's default, and the vendor's error reader.
 */
export function adapterHttpClient(
  posType: PosType,
  options: PosAdapterOptions,
  vendor: { defaultTimeoutMs: number; describeError: PosHttpOptions["describeError"] },
): PosHttpClient {
  return new PosHttpClient({
    posType,
    baseUrl: options.connection.baseUrl,
    timeoutMs: options.timeoutMs ?? vendor.defaultTimeoutMs,
    maxInlineRetryAfterMs: options.maxInlineRetryAfterMs ?? DEFAULT_MAX_INLINE_RETRY_AFTER_MS,
    describeError: vendor.describeError,
    throttle: options.throttle,
    fetch: options.fetch,
    metrics: options.metrics,
  });
}
