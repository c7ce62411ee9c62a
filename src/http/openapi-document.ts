import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../kernel/app-env";

/**
 * The OpenAPI 3.1 document at `/openapi.json`: what the routes generate from their zod schemas,
 * plus the parts no single route owns — the security schemes, `servers`, the tags' descriptions —
 * and an example for every request body, parameter and response that does not give its own,
 * built from its schema (field examples, enums, bounds, formats), so the examples follow the
 * schemas as they change. `bun run lint:openapi` lints the result with Redocly, which also checks
 * every example against its schema.
 */
type Json = Record<string, unknown>;

const TAGS: Record<string, string> = {
  Health: "Liveness and readiness probes for load balancers and orchestrators.",
  Auth: "Who the bearer token names.",
  Restaurants: "Restaurants, menus, categories, loyalty rules and operational config (public reads are cached).",
  Orders: "Orders and payments (every write takes an Idempotency-Key), and a restaurant's orders for its staff.",
  Analytics: "Aggregations in SQL, cached for ten minutes.",
  POS: "Point-of-sale webhooks, menu pulls and connection status.",
  Cache: "Cache statistics, warm-up and invalidation.",
  "Queue monitoring": "The POS sync queue: depths, metrics, live jobs, workers, pause / resume and failed jobs.",
  Operations: "Prometheus metrics for the monitoring stack.",
  Batches: "Job batches: a restaurant's resync or every restaurant's pull, with progress and cancelling.",
  Loyalty: "A restaurant's loyalty programs and rules, for its owner; every write refreshes the cached rules.",
};

export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user's token. `bun run token --email owner@demo.test` prints one for a demo user.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "The `METRICS_TOKEN` configured on the server (for a Prometheus scrape job), not a user's JWT.",
  });
}

/** The document for a server reached at `serverUrl` (PUBLIC_BASE_URL behind a proxy, else the request's origin). */
export function openApiDocument(app: OpenAPIHono<AppEnv>, serverUrl: string): Json {
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "FoodHub Sync API",
      version: "0.1.0",
      description:
        "Menus, orders and payments for client apps; POS sync queue monitoring for restaurants. " +
        "Errors are `{ error: { code, message, details? } }` with a stable `code`.",
    },
    servers: [{ url: serverUrl.replace(/\/+$/, ""), description: "This server" }],
  }) as unknown as Json;
  const used = new Set<string>();
  const components = (document.components ?? {}) as Json;
  for (const operation of operations(document)) {
    for (const tag of (operation.tags as string[] | undefined) ?? []) used.add(tag);
    addExamples(operation, components);
  }
  document.tags = [...used].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
  return document;
}

function* operations(document: Json): Generator<Json> {
  for (const item of Object.values((document.paths ?? {}) as Record<string, Json>)) {
    for (const method of ["get", "put", "post", "delete", "patch"]) {
      const operation = item[method] as Json | undefined;
      if (operation) yield operation;
    }
  }
}

function addExamples(operation: Json, components: Json): void {
  for (const parameter of (operation.parameters as Json[] | undefined) ?? []) {
    if (parameter.example === undefined && parameter.schema) {
      parameter.example = exampleOf(parameter.schema as Json, components);
    }
  }
  const body = operation.requestBody as Json | undefined;
  if (body) addMediaExamples(body.content as Record<string, Json> | undefined, components);
  for (const response of Object.values((operation.responses ?? {}) as Record<string, Json>)) {
    addMediaExamples(response.content as Record<string, Json> | undefined, components);
  }
}

function addMediaExamples(content: Record<string, Json> | undefined, components: Json): void {
  for (const media of Object.values(content ?? {})) {
    if (media.example === undefined && media.examples === undefined && media.schema) {
      media.example = exampleOf(media.schema as Json, components);
    }
  }
}

const SAMPLE_DATE = "2026-01-15T12:00:00.000Z";

/** A value that fits the schema: its own example or default first, else one built from its bounds. */
export function exampleOf(schema: Json, components: Json, depth = 0): unknown {
  if (depth > 12) return null;
  const ref = schema.$ref as string | undefined;
  if (ref) {
    const name = ref.replace("#/components/schemas/", "");
    const target = ((components.schemas ?? {}) as Record<string, Json>)[name];
    return target ? exampleOf(target, components, depth + 1) : null;
  }
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key] as Json[] | undefined;
    if (options) {
      const chosen = options.find((o) => o.type !== "null") ?? options[0];
      return chosen ? exampleOf(chosen, components, depth + 1) : null;
    }
  }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Json[]).map((s) => exampleOf(s, components, depth + 1));
    const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    return parts.every(isObject) ? Object.assign({}, ...parts) : (parts.find((p) => p !== null) ?? null);
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, exampleOf(value, components, depth + 1)]),
      );
    }
    case "array": {
      const items = schema.items as Json | undefined;
      const count = Math.max(1, Number(schema.minItems ?? 1));
      return items ? Array.from({ length: count }, () => exampleOf(items, components, depth + 1)) : [];
    }
    case "integer":
    case "number":
      return numberExample(schema, type === "integer");
    case "boolean":
      return true;
    case "string":
      return stringExample(schema);
    case "null":
      return null;
    default:
      return null;
  }
}

function numberExample(schema: Json, integer: boolean): number {
  const min =
    schema.minimum !== undefined
      ? Number(schema.minimum)
      : schema.exclusiveMinimum !== undefined
        ? Number(schema.exclusiveMinimum) + (integer ? 1 : 0.5)
        : 1;
  const max = schema.maximum !== undefined ? Number(schema.maximum) : Number.POSITIVE_INFINITY;
  return Math.min(Math.max(min, 1), max);
}

function stringExample(schema: Json): string {
  switch (schema.format) {
    case "date-time":
      return SAMPLE_DATE;
    case "date":
      return SAMPLE_DATE.slice(0, 10);
    case "email":
      return "owner@demo.test";
    case "uri":
    case "url":
      return "https://foodhub.example/";
    case "uuid":
      return "3f1c9a52-7d2e-4b6a-9c1e-2a5b8d0f4e71";
    default: {
      const min = Number(schema.minLength ?? 0);
      const text = "example";
      return text.length >= min ? text.slice(0, Number(schema.maxLength ?? text.length)) : text.padEnd(min, "-");
    }
  }
}
