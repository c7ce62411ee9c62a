import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import type { Config } from "../config";
import { oidcVerifier } from "./oidc-verifier";
import { hs256Verifier, type TokenVerifier } from "./tokens";

/**
 * The app's bearer-token verifier, as the configuration says: an OpenID Connect issuer's JWKS
 * when AUTH_JWKS_URL is set (production), else HS256 with JWT_SECRET (development and tests).
 * config.ts has already refused every other combination for whatever serves the API.
 */
export function createTokenVerifier(config: Config, db: Database): TokenVerifier {
  if (config.AUTH_JWKS_URL && config.AUTH_ISSUER && config.AUTH_AUDIENCE) {
    return oidcVerifier(
      {
        ...config,
        AUTH_JWKS_URL: config.AUTH_JWKS_URL,
        AUTH_ISSUER: config.AUTH_ISSUER,
        AUTH_AUDIENCE: config.AUTH_AUDIENCE,
      },
      {
        refetchCooldownMs: config.AUTH_JWKS_COOLDOWN_SECONDS * 1000,
        async findUserId(subject) {
          const [row] = await db.select({ id: users.id }).from(users).where(eq(users.authSubject, subject)).limit(1);
          return row?.id ?? null;
        },
      },
    );
  }
  if (config.JWT_SECRET) return hs256Verifier(config.JWT_SECRET, config);
  throw new Error("no token verifier configured: set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE, or JWT_SECRET");
}
