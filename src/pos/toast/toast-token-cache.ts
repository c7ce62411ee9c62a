import type { PosHttpClient } from "../http";
import { toastLoginResponseSchema } from "./toast-schemas";

/** Renew this long before Toast's `expiresIn` runs out, so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

type CachedToken = { accessToken: string; expiresAt: number };

/** Settles with `promise`, or rejects with the signal's reason as soon as this caller gives up waiting. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Toast access tokens, cached per (base URL, client id) until shortly before
 * they expire. One instance is shared by every Toast adapter of a process:
 * adapters are built per job, tokens are valid for a day, and Toast rate-limits
 * the login endpoint. Concurrent callers wait for one login.
 */
export class ToastTokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<CachedToken>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async token(http: PosHttpClient, clientId: string, clientSecret: string, signal?: AbortSignal): Promise<string> {
    const key = `${http.baseUrl}\n${clientId}`;
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.#now()) return cached.accessToken;
    let pending = this.#pending.get(key);
    if (!pending) {
      // The login is shared by every waiting caller, so no single caller's signal may cancel it; it has its own deadline.
      pending = this.#login(http, clientId, clientSecret).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const token = await (signal ? raceAbort(pending, signal) : pending);
    this.#tokens.set(key, token);
    return token.accessToken;
  }

  /** Forgets a token Toast refused (revoked or expired early), so the next call logs in again. */
  invalidate(http: PosHttpClient, clientId: string): void {
    this.#tokens.delete(`${http.baseUrl}\n${clientId}`);
  }

  async #login(http: PosHttpClient, clientId: string, clientSecret: string): Promise<CachedToken> {
    const started = this.#now();
    const { token } = await http.json(
      {
        method: "POST",
        path: "/authentication/v1/authentication/login",
        body: { clientId, clientSecret, userAccessType: "TOAST_MACHINE_CLIENT" },
      },
      toastLoginResponseSchema,
    );
    return { accessToken: token.accessToken, expiresAt: started + token.expiresIn * 1000 };
  }
}
