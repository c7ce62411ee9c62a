import { describe, expect, it } from "bun:test";
import { ConfigError, DEV_JWT_SECRET, parseConfig } from "./config";

describe("config", () => {
  it("applies defaults on an empty environment", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_PREFIX).toBe("fh");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.AUTH_TOKEN_MAX_AGE_SECONDS).toBe(86_400);
    // A worker or a CLI verifies no tokens: no secret is made up for it.
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it("reads WORKER_POLL_SPIN_US: 500 µs by default, 0 turns it off, and a bad value is named", () => {
    expect(parseConfig({}).WORKER_POLL_SPIN_US).toBe(500);
    expect(parseConfig({ WORKER_POLL_SPIN_US: "0" }).WORKER_POLL_SPIN_US).toBe(0);
    expect(() => parseConfig({ WORKER_POLL_SPIN_US: "-1" })).toThrow("WORKER_POLL_SPIN_US");
    expect(() => parseConfig({ WORKER_POLL_SPIN_US: "fast" })).toThrow("WORKER_POLL_SPIN_US");
  });

  it("names every offending variable in one message", () => {
    let error: unknown;
    try {
      parseConfig({ PORT: "70000", REDIS_URL: "not a url", JWT_SECRET: "short", NODE_ENV: "staging" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ["PORT", "REDIS_URL", "JWT_SECRET", "NODE_ENV"]) expect(message).toContain(name);
  });

  it("refuses to serve the API with no explicit configuration, saying what to set", () => {
    let error: unknown;
    try {
      parseConfig({}, "api");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const words of ["AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "JWT_SECRET", "NODE_ENV=development"]) {
      expect((error as Error).message).toContain(words);
    }
  });

  it("uses the public dev secret only for NODE_ENV=development on a loopback HOST", () => {
    expect(parseConfig({ NODE_ENV: "development" }, "api").JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(parseConfig({ NODE_ENV: "development", HOST: "::1" }, "api").JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(() => parseConfig({ NODE_ENV: "development", HOST: "0.0.0.0" }, "api")).toThrow(/JWT_SECRET/);
    expect(() => parseConfig({ NODE_ENV: "test" }, "api")).toThrow(/JWT_SECRET/);
    // On the edge the runtime binds no address of ours: HOST must say loopback explicitly.
    const edge = {
      DATABASE_URL: "postgres://u@h/x",
      UPSTASH_REDIS_REST_URL: "https://r.example",
      UPSTASH_REDIS_REST_TOKEN: "t",
    };
    expect(() => parseConfig({ ...edge, NODE_ENV: "development" }, "edge")).toThrow(/JWT_SECRET/);
    expect(parseConfig({ ...edge, NODE_ENV: "development", HOST: "127.0.0.1" }, "edge").JWT_SECRET).toBe(
      DEV_JWT_SECRET,
    );
  });

  it("refuses the public dev secret everywhere else, even for a worker", () => {
    for (const env of [{ NODE_ENV: "test" }, { NODE_ENV: "development", HOST: "10.0.0.5" }, {}]) {
      expect(() => parseConfig({ ...env, JWT_SECRET: DEV_JWT_SECRET })).toThrow(/public development secret/);
    }
    expect(parseConfig({ NODE_ENV: "test", JWT_SECRET: "x".repeat(32) }, "api").JWT_SECRET).toBe("x".repeat(32));
  });

  it("requires an OpenID Connect issuer and a public URL in production, and no HS256 secret", () => {
    expect(() => parseConfig({ NODE_ENV: "production" }, "api")).toThrow(/AUTH_JWKS_URL: is required in production/);
    expect(() => parseConfig({ NODE_ENV: "production" }, "api")).toThrow(/PUBLIC_BASE_URL: is required in production/);
    const oidc = {
      NODE_ENV: "production",
      PUBLIC_BASE_URL: "https://api.example",
      AUTH_JWKS_URL: "https://id.example/jwks",
      AUTH_ISSUER: "https://id.example/",
      AUTH_AUDIENCE: "foodhub",
    };
    const config = parseConfig(oidc, "api");
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.JWT_SECRET).toBeUndefined();
    expect(() => parseConfig({ ...oidc, JWT_SECRET: "y".repeat(40) }, "api")).toThrow(/JWT_SECRET/);
    expect(() => parseConfig({ ...oidc, AUTH_AUDIENCE: "" }, "api")).toThrow(
      /AUTH_AUDIENCE: is required with AUTH_JWKS_URL and AUTH_ISSUER/,
    );
  });

  it("reads rate limits as N/S or off", () => {
    const config = parseConfig({ RATE_LIMIT_ORDERS: "5/60", RATE_LIMIT_WEBHOOKS: "off" });
    expect(config.RATE_LIMIT_ORDERS).toEqual({ limit: 5, windowSeconds: 60 });
    expect(config.RATE_LIMIT_WEBHOOKS).toBeNull();
    expect(config.RATE_LIMIT_AUTH_FAILURES).toEqual({ limit: 20, windowSeconds: 300 });
    expect(() => parseConfig({ RATE_LIMIT_PAYMENTS: "0/60" })).toThrow(/RATE_LIMIT_PAYMENTS/);
    expect(() => parseConfig({ RATE_LIMIT_PAYMENTS: "lots" })).toThrow(/RATE_LIMIT_PAYMENTS/);
  });

  it("reads REDIS_CLUSTER_NODES as seed nodes and names a malformed one", () => {
    expect(parseConfig({ REDIS_CLUSTER_NODES: "127.0.0.1:7001, redis-b:7002,[::1]:7003" }).REDIS_CLUSTER_NODES).toEqual(
      [
        { host: "127.0.0.1", port: 7001 },
        { host: "redis-b", port: 7002 },
        { host: "::1", port: 7003 },
      ],
    );
    expect(parseConfig({ REDIS_CLUSTER_NODES: "" }).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "127.0.0.1:7001,nohost" })).toThrow(
      /REDIS_CLUSTER_NODES: "nohost" is not host:port/,
    );
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "h:70000" })).toThrow(/REDIS_CLUSTER_NODES/);
  });
});
