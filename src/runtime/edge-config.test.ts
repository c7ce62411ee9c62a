import { describe, expect, it, spyOn } from "bun:test";
import { ConfigError } from "../config";
import { edgeConfigOnce, invalidConfigResponse } from "./edge-config";

describe("edge configuration", () => {
  it("names every missing or invalid variable at once", () => {
    const parsed = edgeConfigOnce()({ NODE_ENV: "production", PORT: "nope" });
    expect(parsed).toBeInstanceOf(ConfigError);
    const names = (parsed as ConfigError).problems.map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(
      [
        "AUTH_JWKS_URL",
        "DATABASE_URL",
        "PORT",
        "PUBLIC_BASE_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "UPSTASH_REDIS_REST_URL",
      ].sort(),
    );
  });

  it("answers with one 500 and logs one line naming them", async () => {
    const error = edgeConfigOnce()({}) as ConfigError;
    const logged: string[] = [];
    const spy = spyOn(console, "error").mockImplementation((line: string) => void logged.push(line));
    const res = invalidConfigResponse(error);
    spy.mockRestore();
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_configuration");
    expect(logged).toHaveLength(1);
    for (const name of ["DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"]) {
      expect(logged[0]).toContain(name);
    }
  });

  it("accepts a complete edge configuration", () => {
    const parsed = edgeConfigOnce()({
      DATABASE_URL: "postgres://u@db.example/x",
      UPSTASH_REDIS_REST_URL: "https://redis.example",
      UPSTASH_REDIS_REST_TOKEN: "t",
      JWT_SECRET: "an-edge-test-secret-of-32-characters",
    });
    expect(parsed).not.toBeInstanceOf(Error);
  });
});
