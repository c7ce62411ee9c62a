import { jwtVerify, SignJWT } from "jose";
import type { Config } from "../config";

/** What a verified bearer token says: whom it names, and until when it is good. */
export type VerifiedToken = {
  /** Our user id; null when the token is valid but names no user we know (a new OIDC subject). */
  userId: number | null;
  /** The token's `exp`, in epoch ms. */
  expiresAt: number;
};

/** Verifies a bearer token; null when it is invalid, expired or not acceptable. */
export type TokenVerifier = (token: string) => Promise<VerifiedToken | null>;

/** The settings every verifier applies, whoever issued the token. */
export type TokenRules = Pick<Config, "AUTH_TOKEN_MAX_AGE_SECONDS" | "AUTH_CLOCK_SKEW_SECONDS">;

const HS256 = "HS256";
const MAX_USER_ID = 2_147_483_647;

/**
 * A user id written the one way we write it: "1", never "01", "0x1", " 1", "1e0" or a number.
 * Anything else is refused rather than normalised, so one user never has two spellings.
 */
export function canonicalUserId(sub: unknown): number | null {
  if (typeof sub !== "string" || !/^[1-9][0-9]{0,9}$/.test(sub)) return null;
  const id = Number(sub);
  return id <= MAX_USER_ID ? id : null;
}

/**
 * Whether a token's lifetime is within the cap: `exp` is required (jose checks it is not past),
 * it may lie at most the cap ahead of now, and at most the cap after `iat` when there is one.
 */
export function lifetimeAcceptable(payload: { exp?: number; iat?: number }, rules: TokenRules): boolean {
  if (typeof payload.exp !== "number") return false;
  const now = Date.now() / 1000;
  const cap = rules.AUTH_TOKEN_MAX_AGE_SECONDS;
  if (payload.exp - now > cap + rules.AUTH_CLOCK_SKEW_SECONDS) return false;
  // An issuer's `iat` may be a little ahead of our clock; the lifetime itself is what is capped.
  return typeof payload.iat !== "number" || payload.exp - payload.iat <= cap;
}

function hmacKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Issues an HS256 bearer token naming a user (`sub`) for development and tests (the dev command,
 * `bun run token`, the test suite, benchmarks); roles are never in the token. Production tokens
 * come from the OpenID Connect issuer. `ttlSeconds` defaults to, and may not exceed, the cap.
 */
export async function issueToken(
  config: Pick<Config, "JWT_SECRET" | "AUTH_TOKEN_MAX_AGE_SECONDS">,
  userId: number,
  ttlSeconds = config.AUTH_TOKEN_MAX_AGE_SECONDS,
): Promise<string> {
  if (!config.JWT_SECRET) throw new Error("no JWT_SECRET: tokens come from the OpenID Connect issuer");
  if (ttlSeconds > config.AUTH_TOKEN_MAX_AGE_SECONDS) {
    throw new Error(`a token may live at most AUTH_TOKEN_MAX_AGE_SECONDS (${config.AUTH_TOKEN_MAX_AGE_SECONDS} s)`);
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: HS256, typ: "JWT" })
    .setSubject(String(userId))
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(hmacKey(config.JWT_SECRET));
}

/**
 * Verifies HS256 tokens signed with `secret`: `exp` and a canonical user id in `sub` required.
 * No clock skew: these tokens are ours, issued on the clock that checks them.
 */
export function hs256Verifier(secret: string, rules: TokenRules): TokenVerifier {
  const key = hmacKey(secret);
  return async function verifyHs256(token) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [HS256],
        requiredClaims: ["exp", "sub"],
      });
      const userId = canonicalUserId(payload.sub);
      if (userId === null || !lifetimeAcceptable(payload, rules)) return null;
      return { userId, expiresAt: payload.exp! * 1000 };
    } catch {
      return null;
    }
  };
}
