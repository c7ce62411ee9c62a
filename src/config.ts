import { z } from "zod";

const DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef";

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();

/** Every setting the system reads, with its default. The README's configuration table mirrors this. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    DATABASE_URL: optionalUrl,
    DATABASE_WS_PROXY: optionalString,
    PGLITE_DIR: z.string().default(".data/pglite"),
    REDIS_URL: optionalUrl,
    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9:_-]{1,32}$/i, "letters, digits, ':', '_' or '-', at most 32")
      .default("fh"),
    JWT_SECRET: optionalString,
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    QUEUE_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
    METRICS_TOKEN: optionalString,
    DEV_POS_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    DEV_SEED: bool,
  })
  .superRefine((c, ctx) => {
    if (c.JWT_SECRET !== undefined && c.JWT_SECRET.length < 32) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "must be at least 32 characters" });
    }
    if (c.NODE_ENV === "production" && c.JWT_SECRET === undefined) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "is required in production" });
    }
    if (c.UPSTASH_REDIS_REST_URL !== undefined && c.UPSTASH_REDIS_REST_TOKEN === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["UPSTASH_REDIS_REST_TOKEN"],
        message: "is required with UPSTASH_REDIS_REST_URL",
      });
    }
  })
  .transform((c) => ({ ...c, JWT_SECRET: c.JWT_SECRET ?? DEV_JWT_SECRET }));

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; its message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses a set of variables (process.env on Bun, bindings on Workers). */
export function parseConfig(source: Record<string, unknown>): Config {
  const result = configSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

/** The process's configuration on Bun: the one place that reads process.env. */
export function loadConfig(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}
