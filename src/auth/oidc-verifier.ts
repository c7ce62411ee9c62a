import { createRemoteJWKSet, jwtVerify } from "jose";
import { lifetimeAcceptable, type TokenRules, type TokenVerifier } from "./tokens";

export type OidcSettings = TokenRules & {
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
};

export type OidcVerifierOptions = {
  /** Our user with this issuer subject (`users.auth_subject`); null when there is none. */
  findUserId: (subject: string) => Promise<number | null>;
  /** Least time between two JWKS fetches for an unknown `kid` (jose's cooldown). */
  refetchCooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again. */
  keysMaxAgeMs?: number;
};

/** Asymmetric algorithms only: a JWKS never lends itself to an HMAC key confusion. */
const ALGORITHMS = ["RS256", "ES256"];

/**
 * One key set per JWKS URL and process (or edge isolate): the edge builds the app per request, and
 * the fetched keys must outlive it, or every request would fetch the JWKS again.
 */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetFor(url: string, cooldownMs: number, maxAgeMs: number) {
  const id = `${url} ${cooldownMs} ${maxAgeMs}`;
  let keys = keySets.get(id);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), {
      cooldownDuration: cooldownMs,
      cacheMaxAge: maxAgeMs,
      timeoutDuration: 5000,
    });
    keySets.set(id, keys);
  }
  return keys;
}

/**
 * Verifies tokens from an OpenID Connect issuer against its JWKS (jose's remote key set: keys are
 * fetched once and cached; a token with an unknown `kid` triggers a refetch, at most one per
 * cooldown, which is how a rotated key is picked up). `iss`, `aud`, `exp` and `sub` are required;
 * `exp`, `nbf` and `iat` are checked with the configured clock skew; roles never come from the token.
 */
export function oidcVerifier(settings: OidcSettings, options: OidcVerifierOptions): TokenVerifier {
  const keys = keySetFor(settings.AUTH_JWKS_URL, options.refetchCooldownMs ?? 30_000, options.keysMaxAgeMs ?? 600_000);
  return async function verifyOidc(token) {
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: settings.AUTH_ISSUER,
        audience: settings.AUTH_AUDIENCE,
        requiredClaims: ["exp", "iss", "aud", "sub"],
        clockTolerance: settings.AUTH_CLOCK_SKEW_SECONDS,
      }));
    } catch {
      return null;
    }
    const subject = payload.sub;
    if (!subject || subject.length > 255 || !lifetimeAcceptable(payload, settings)) return null;
    return { userId: await options.findUserId(subject), expiresAt: payload.exp! * 1000 };
  };
}
