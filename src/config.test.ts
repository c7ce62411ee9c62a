import { describe, expect, it } from "bun:test";
import { ConfigError, parseConfig } from "./config";

describe("config", () => {
  it("applies defaults on an empty environment", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_PREFIX).toBe("fh");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
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

  it("requires a JWT secret in production", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(/JWT_SECRET: is required in production/);
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
