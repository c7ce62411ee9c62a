import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

type Alg = "RS256" | "ES256";
type SigningKey = { kid: string; alg: Alg; privateKey: CryptoKey; publicJwk: Record<string, unknown> };

/**
 * A stand-in OpenID Connect issuer on loopback: it serves a JWKS over HTTP and signs real RS256 and
 * ES256 tokens with the matching private keys. `rotate()` replaces a key with a new one (new
 * `kid`), as an issuer does; `fetches` counts JWKS requests.
 */
export async function startOidcIssuer(options: { issuer?: string } = {}) {
  const issuer = options.issuer ?? "https://issuer.test/";
  const keys = new Map<Alg, SigningKey>();
  let generation = 0;
  async function newKey(alg: Alg): Promise<SigningKey> {
    generation += 1;
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-${generation}`;
    return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
  }
  keys.set("RS256", await newKey("RS256"));
  keys.set("ES256", await newKey("ES256"));
  let fetches = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      if (new URL(request.url).pathname !== "/jwks") return new Response("not found", { status: 404 });
      fetches += 1;
      return Response.json({ keys: [...keys.values()].map((k) => k.publicJwk) });
    },
  });
  return {
    issuer,
    jwksUrl: `http://127.0.0.1:${server.port}/jwks`,
    get fetches() {
      return fetches;
    },
    /** A signed token; `claims` override the defaults (iss, 10-minute exp, iat now), `undefined` drops one. */
    async sign(alg: Alg, claims: JWTPayload & { aud?: string | string[] }, header: { kid?: string } = {}) {
      const key = keys.get(alg)!;
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = { iss: issuer, iat: now, exp: now + 600, ...claims };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg, kid: header.kid ?? key.kid, typ: "JWT" })
        .sign(key.privateKey);
    },
    /** Replaces the key of `alg` by a new one; tokens signed with the old key no longer verify. */
    async rotate(alg: Alg) {
      keys.set(alg, await newKey(alg));
    },
    stop: () => server.stop(true),
  };
}

export type OidcIssuer = Awaited<ReturnType<typeof startOidcIssuer>>;
