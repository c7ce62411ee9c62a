import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { parseConfig } from "../../src/config";
import { createTestApp, type TestApp } from "../support/app";

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; example?: unknown }>;
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
};

let t: TestApp;
let document: {
  servers: Array<{ url: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { scheme: string; description: string }> };
  tags: Array<{ name: string; description: string }>;
};
const operations: Array<{ at: string; operation: Operation }> = [];

beforeAll(async () => {
  t = await createTestApp({ settings: { PUBLIC_BASE_URL: "https://api.foodhub.test" } });
  document = (await t.call("GET", "/openapi.json")).body;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) operations.push({ at: `${method} ${path}`, operation });
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe("the OpenAPI document", () => {
  it("names every operation, with a summary, tags and security", () => {
    expect(operations.length).toBeGreaterThan(30);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { at, operation } of operations) {
      expect({ at, summary: Boolean(operation.summary), tags: operation.tags?.length ?? 0 }).toEqual({
        at,
        summary: true,
        tags: 1,
      });
      expect({ at, security: Array.isArray(operation.security) }).toEqual({ at, security: true });
    }
    const tagged = new Set(operations.flatMap(({ operation }) => operation.tags ?? []));
    expect(document.tags.map((tag) => tag.name).sort()).toEqual([...tagged].sort());
    expect(document.tags.every((tag) => tag.description.length > 10)).toBe(true);
  });

  it("says security: [] on the public routes and a bearer scheme on the others", () => {
    const security = (at: string) => operations.find((o) => o.at === at)?.operation.security;
    for (const at of ["get /healthz", "get /readyz", "get /v1/restaurants", "get /v1/restaurants/{id}/menu"]) {
      expect({ at, security: security(at) }).toEqual({ at, security: [] });
    }
    expect(security("get /v1/me")).toEqual([{ bearerAuth: [] }]);
    expect(security("post /v1/orders")).toEqual([{ bearerAuth: [] }]);
  });

  it("documents /metrics with its own METRICS_TOKEN scheme, not the JWT", () => {
    expect(operations.find((o) => o.at === "get /metrics")?.operation.security).toEqual([{ metricsToken: [] }]);
    expect(document.components.securitySchemes.metricsToken).toMatchObject({ scheme: "bearer" });
    expect(document.components.securitySchemes.metricsToken?.description).toContain("METRICS_TOKEN");
  });

  it("gives every request body, parameter and response an example", () => {
    for (const { at, operation } of operations) {
      for (const parameter of operation.parameters ?? []) {
        expect({ at, parameter: parameter.name, example: parameter.example !== undefined }).toEqual({
          at,
          parameter: parameter.name,
          example: true,
        });
      }
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        expect({ at, type, example: media.example !== undefined }).toEqual({ at, type, example: true });
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          expect({ at, status, type, example: media.example !== undefined }).toEqual({
            at,
            status,
            type,
            example: true,
          });
        }
      }
    }
    const order = operations.find((o) => o.at === "post /v1/orders")!.operation;
    expect(order.requestBody!.content["application/json"]!.example).toMatchObject({ restaurantId: 1 });
  });

  it("names its server from PUBLIC_BASE_URL", () => {
    expect(document.servers).toEqual([{ url: "https://api.foodhub.test", description: "This server" }]);
  });
});

describe("DOCS_ENABLED", () => {
  it("defaults to off in production and on elsewhere", () => {
    // Production verifies tokens from an issuer and needs its public URL.
    const production = {
      NODE_ENV: "production",
      AUTH_JWKS_URL: "https://issuer.test/.well-known/jwks.json",
      AUTH_ISSUER: "https://issuer.test/",
      AUTH_AUDIENCE: "foodhub",
      PUBLIC_BASE_URL: "https://api.foodhub.test",
    };
    expect(parseConfig(production).DOCS_ENABLED).toBe(false);
    expect(parseConfig({ ...production, DOCS_ENABLED: "true" }).DOCS_ENABLED).toBe(true);
    expect(parseConfig({ NODE_ENV: "development" }).DOCS_ENABLED).toBe(true);
    expect(parseConfig({ NODE_ENV: "test", DOCS_ENABLED: "false" }).DOCS_ENABLED).toBe(false);
  });

  it("turned off, /docs, its script and /openapi.json do not exist", async () => {
    const off = await createTestApp({ settings: { DOCS_ENABLED: "false" } });
    try {
      for (const path of ["/docs", "/docs/scalar.js", "/openapi.json"]) {
        const res = await off.call("GET", path);
        expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
          path,
          status: 404,
          code: "route_not_found",
        });
      }
    } finally {
      await off.close();
    }
  }, 120_000);
});
