import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { users } from "../../db/schema";
import { DEMO_USER_IDS } from "../../db/seed";
import { issueToken } from "../../src/auth/tokens";
import { createTestApp, type TestApp, testRuntime } from "../support/app";
import { type OidcIssuer, startOidcIssuer } from "../support/oidc-issuer";

const AUDIENCE = "foodhub-api";

describe("HS256 tokens (development and tests)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ settings: { AUTH_TOKEN_MAX_AGE_SECONDS: "3600" } });
  }, 120_000);
  afterAll(() => t.close());

  const me = (token: string) => t.call("GET", "/v1/me", { token });
  async function signed(claims: Record<string, unknown>) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(t.config.JWT_SECRET!));
  }
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts a token of ours within the lifetime cap", async () => {
    const res = await me(await issueToken(t.config, DEMO_USER_IDS.owner));
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe("owner@demo.test");
  });

  it("refuses a token without exp, or living longer than the cap", async () => {
    expect((await me(await signed({ sub: String(DEMO_USER_IDS.owner), iat: now() }))).status).toBe(401);
    const long = await signed({ sub: String(DEMO_USER_IDS.owner), iat: now(), exp: now() + 7200 });
    expect((await me(long)).status).toBe(401);
    // Without iat, exp may not lie further ahead than the cap either.
    expect((await me(await signed({ sub: String(DEMO_USER_IDS.owner), exp: now() + 7200 }))).status).toBe(401);
    expect((await me(await signed({ sub: String(DEMO_USER_IDS.owner), exp: now() + 600 }))).status).toBe(200);
    await expect(issueToken(t.config, DEMO_USER_IDS.owner, 7200)).rejects.toThrow(/AUTH_TOKEN_MAX_AGE_SECONDS/);
  });

  it("refuses every spelling of a user id but the canonical one", async () => {
    const id = DEMO_USER_IDS.owner;
    for (const sub of [`0x${id.toString(16)}`, ` ${id}`, `${id} `, `0${id}`, `${id}.0`, `+${id}`, [id], id, "0", ""]) {
      const res = await me(await signed({ sub, iat: now(), exp: now() + 60 }));
      expect({ sub, status: res.status }).toEqual({ sub, status: 401 });
    }
  });

  it("refuses a token signed with the public development secret", async () => {
    const token = await new SignJWT({ sub: String(DEMO_USER_IDS.admin), exp: now() + 60 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("dev-only-secret-change-me-0123456789abcdef"));
    expect((await me(token)).status).toBe(401);
  });
});

describe("tokens from an OpenID Connect issuer", () => {
  let issuer: OidcIssuer;
  let t: TestApp;
  const subject = "idp|owner-7f3a";
  beforeAll(async () => {
    issuer = await startOidcIssuer();
    t = await createTestApp({
      settings: {
        JWT_SECRET: "",
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_ISSUER: issuer.issuer,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_CLOCK_SKEW_SECONDS: "30",
        AUTH_JWKS_COOLDOWN_SECONDS: "0",
      },
    });
    await t.db.update(users).set({ authSubject: subject }).where(eq(users.email, "owner@demo.test"));
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await issuer.stop();
  });

  const me = (token: string) => t.call("GET", "/v1/me", { token });
  const now = () => Math.floor(Date.now() / 1000);

  it("signs a user in by sub with an RS256 or an ES256 token; roles come from the database", async () => {
    for (const alg of ["RS256", "ES256"] as const) {
      const token = await issuer.sign(alg, { sub: subject, aud: AUDIENCE, roles: ["admin"], is_admin: true });
      const res = await me(token);
      expect(res.status).toBe(200);
      expect(res.body.user.email).toBe("owner@demo.test");
      // The token's own claims grant nothing: owner@demo.test is no admin, and an owner by the database.
      expect(res.body.user.isAdmin).toBe(false);
      expect(res.body.memberships.map((m: { role: string }) => m.role)).toContain("owner");
    }
  });

  it("requires the configured issuer and audience, and an exp", async () => {
    const cases = [
      { sub: subject, aud: AUDIENCE, iss: "https://evil.test/" },
      { sub: subject, aud: "another-api" },
      { sub: subject, aud: AUDIENCE, exp: undefined },
      { sub: subject, aud: undefined },
      { sub: subject, aud: AUDIENCE, iss: undefined },
    ];
    for (const claims of cases) {
      const res = await me(await issuer.sign("RS256", claims));
      expect({ claims, status: res.status }).toEqual({ claims, status: 401 });
    }
  });

  it("tolerates a small clock skew on exp, and no more", async () => {
    const justExpired = await issuer.sign("ES256", { sub: subject, aud: AUDIENCE, iat: now() - 600, exp: now() - 10 });
    expect((await me(justExpired)).status).toBe(200);
    const expired = await issuer.sign("ES256", { sub: subject, aud: AUDIENCE, iat: now() - 600, exp: now() - 120 });
    expect((await me(expired)).status).toBe(401);
  });

  it("refuses an unknown subject, an HS256 token and a token from a key it never published", async () => {
    const unknown = await me(await issuer.sign("RS256", { sub: "idp|nobody", aud: AUDIENCE }));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toContain("unknown user");
    // Nor does the numeric id of a user work as a subject: users are found by auth_subject only.
    expect((await me(await issuer.sign("RS256", { sub: String(DEMO_USER_IDS.owner), aud: AUDIENCE }))).status).toBe(
      401,
    );
    const hs = await new SignJWT({ sub: subject, aud: AUDIENCE, iss: issuer.issuer, exp: now() + 60 })
      .setProtectedHeader({ alg: "HS256", kid: "rs256-1" })
      .sign(new TextEncoder().encode("x".repeat(32)));
    expect((await me(hs)).status).toBe(401);
    expect(
      (await me(await issuer.sign("RS256", { sub: subject, aud: AUDIENCE }, { kid: "never-published" }))).status,
    ).toBe(401);
  });

  it("picks up a rotated key: tokens of the new key verify, the retired key's no longer do", async () => {
    const before = await issuer.sign("RS256", { sub: subject, aud: AUDIENCE });
    expect((await me(before)).status).toBe(200);
    // Signed with the key about to be retired, presented only after the rotation was picked up.
    const retired = await issuer.sign("RS256", { sub: subject, aud: AUDIENCE, jti: "retired" });
    const fetched = issuer.fetches;
    await issuer.rotate("RS256");
    // A token with a kid the cached keys lack makes the verifier fetch the JWKS again.
    const after = await issuer.sign("RS256", { sub: subject, aud: AUDIENCE });
    expect((await me(after)).status).toBe(200);
    expect(issuer.fetches).toBe(fetched + 1);
    expect((await me(retired)).status).toBe(401);
    // A token verified earlier stays good until its exp (the principal cache keeps it, ADR 0015);
    // on Workers the app is built per request with no principal cache, so every request verifies
    // against the current keys and the retired key's token is refused at once (README, "Running at
    // the edge").
    expect((await me(before)).status).toBe(testRuntime === "workerd" ? 401 : 200);
  });
});
