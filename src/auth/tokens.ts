import { sign, verify } from "hono/jwt";

const ALGORITHM = "HS256";

/**
 * The HMAC key of each secret, imported once rather than on every verification. The key is kept,
 * not the import's promise: on Workers a promise settled in one request's context must not be
 * awaited by another (concurrent first requests each import, the last one kept).
 */
const keys = new Map<string, CryptoKey>();
async function hmacKey(secret: string): Promise<CryptoKey> {
  const known = keys.get(secret);
  if (known) return known;
  const raw = new TextEncoder().encode(secret);
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  keys.set(secret, key);
  return key;
}

/** Issues a bearer token naming a user (`sub`); roles are never in the token. */
export async function issueToken(secret: string, userId: number, ttlSeconds = 60 * 60 * 24 * 7): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), iat: now, exp: now + ttlSeconds }, await hmacKey(secret), ALGORITHM);
}

/** Returns the user id a token names, or null when it is invalid or expired. */
export async function verifyToken(secret: string, token: string): Promise<number | null> {
  try {
    const payload = await verify(token, await hmacKey(secret), ALGORITHM);
    const id = Number(payload.sub);
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}
