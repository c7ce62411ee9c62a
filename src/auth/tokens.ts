import { sign, verify } from "hono/jwt";

const ALGORITHM = "HS256";

/** Issues a bearer token naming a user (`sub`); roles are never in the token. */
export async function issueToken(secret: string, userId: number, ttlSeconds = 60 * 60 * 24 * 7): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), iat: now, exp: now + ttlSeconds }, secret, ALGORITHM);
}

/** Returns the user id a token names, or null when it is invalid or expired. */
export async function verifyToken(secret: string, token: string): Promise<number | null> {
  try {
    const payload = await verify(token, secret, ALGORITHM);
    const id = Number(payload.sub);
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}
