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
});
