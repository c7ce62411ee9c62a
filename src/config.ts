import { z } from "zod";

const DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef";

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
/** `host:port,host:port,…` → seed nodes of a Redis Cluster. */
const clusterNodes = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .transform((text, ctx) => {
      const nodes: Array<{ host: string; port: number }> = [];
      for (const part of text.split(",").map((p) => p.trim())) {
        const match = /^([^\s:]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(part);
        const port = Number(match?.[2]);
        if (!match || port < 1 || port > 65535) {
          ctx.addIssue({ code: "custom", message: `"${part}" is not host:port (a comma-separated list of them)` });
          return z.NEVER;
        }
        nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
      }
      return nodes;
    })
    .optional(),
);
const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();

/** Every setting the system reads, with its default. The README's configuration table mirrors this. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    DATABASE_URL: optionalUrl,
    DATABASE_WS_PROXY: optionalString,
    PGLITE_DIR: z.string().default(".data/pglite"),
    REDIS_URL: optionalUrl,
    /** Seed nodes of a Redis Cluster; when set, TCP Redis goes through the cluster client instead of REDIS_URL. */
    REDIS_CLUSTER_NODES: clusterNodes,
    PUBLIC_BASE_URL: optionalUrl,
    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9:_-]{1,32}$/i, "letters, digits, ':', '_' or '-', at most 32")
      .default("fh"),
    JWT_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(32, "must be at least 32 characters").optional(),
    ),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    QUEUE_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
    METRICS_TOKEN: optionalString,
    /** The Chromium the dashboard's browser test drives. */
    CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
    /** CI sets it: a missing Chromium fails the browser test instead of skipping it. */
    REQUIRE_BROWSER_TESTS: bool,
    /** The runtime the HTTP-level tests run the app on: in process, or served by workerd or Deno. */
    TEST_RUNTIME: z.enum(["bun", "workerd", "deno"]).default("bun"),
    DEV_POS_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    DEV_SEED: bool,
    /** `/docs` and `/openapi.json`; default on, except in production. */
    DOCS_ENABLED: bool,
  })
  .transform((c) => ({
    ...c,
    JWT_SECRET: c.JWT_SECRET ?? DEV_JWT_SECRET,
    DOCS_ENABLED: c.DOCS_ENABLED ?? c.NODE_ENV !== "production",
  }));

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; its message (and `problems`) names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

const present = (v: unknown) => v !== undefined && v !== "";

/**
 * Where the config is used. An edge runtime (Workers, Deno) has no embedded database and no
 * Redis TCP server of its own, so it needs DATABASE_URL and the Upstash REST pair.
 */
export type ConfigTarget = "bun" | "edge";

/** Rules between variables, checked on the raw input so they are reported with every other problem. */
function crossFieldProblems(source: Record<string, unknown>, target: ConfigTarget): string[] {
  const problems: string[] = [];
  if (target === "edge") {
    if (!present(source.DATABASE_URL)) problems.push("DATABASE_URL: is required on the edge (no embedded database)");
    if (!present(source.UPSTASH_REDIS_REST_URL)) {
      problems.push("UPSTASH_REDIS_REST_URL: is required on the edge (Redis over REST)");
    }
    if (!present(source.UPSTASH_REDIS_REST_TOKEN)) {
      problems.push("UPSTASH_REDIS_REST_TOKEN: is required on the edge (Redis over REST)");
    }
  }
  if (source.NODE_ENV === "production" && !present(source.JWT_SECRET)) {
    problems.push("JWT_SECRET: is required in production");
  }
  if (target === "bun" && present(source.UPSTASH_REDIS_REST_URL) && !present(source.UPSTASH_REDIS_REST_TOKEN)) {
    problems.push("UPSTASH_REDIS_REST_TOKEN: is required with UPSTASH_REDIS_REST_URL");
  }
  return problems;
}

/** Parses a set of variables (process.env on Bun, bindings on Workers, the environment on Deno). */
export function parseConfig(source: Record<string, unknown>, target: ConfigTarget = "bun"): Config {
  const result = configSchema.safeParse(source);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  problems.push(...crossFieldProblems(source, target));
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(problems);
}

/** The process's configuration on Bun: the one place that reads process.env. */
export function loadConfig(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}

/** For commands: the configuration, or the one clear message and exit code 1. */
export function loadConfigOrExit(overrides: Record<string, unknown> = {}): Config {
  try {
    return loadConfig(overrides);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
