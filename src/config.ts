import { z } from "zod";

/**
 * The public development secret: anyone who has read this file can sign tokens with it, so it is
 * accepted only by a development server listening on loopback (see `crossFieldProblems`).
 */
export const DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef";

/** Addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

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
/** `N/S` (N requests per S seconds) or `off`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      if (text === "off") return null;
      const match = /^(\d{1,7})\/(\d{1,6})$/.exec(text);
      const limit = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]);
      if (!match || limit < 1 || windowSeconds < 1) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not N/S (N requests per S seconds, both ≥ 1) or off` });
        return z.NEVER;
      }
      return { limit, windowSeconds };
    });
const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();

/** Every setting the system reads, with its default. The README's configuration table mirrors this. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** The address the API listens on; unset → 127.0.0.1 in development, 0.0.0.0 otherwise. */
    HOST: optionalString,
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
    /** An OpenID Connect issuer's JWKS (RS256/ES256 keys); with AUTH_ISSUER and AUTH_AUDIENCE. */
    AUTH_JWKS_URL: optionalUrl,
    AUTH_ISSUER: optionalString,
    AUTH_AUDIENCE: optionalString,
    /** Least time between two JWKS fetches for a token whose `kid` the cached keys lack. */
    AUTH_JWKS_COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    /** The longest lifetime a bearer token may have (exp − iat, and exp − now). */
    AUTH_TOKEN_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(86_400),
    /** Tolerated clock difference with the token's issuer, for exp / nbf / iat. */
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    /** Failed authentications per client IP (401s), then 429 until the window lets one through. */
    RATE_LIMIT_AUTH_FAILURES: rateLimit("20/300"),
    /** Orders a user may create. */
    RATE_LIMIT_ORDERS: rateLimit("30/600"),
    /** Payments a user may create. */
    RATE_LIMIT_PAYMENTS: rateLimit("20/600"),
    /** Webhook deliveries per source (vendor and client IP), counted before signatures are checked. */
    RATE_LIMIT_WEBHOOKS: rateLimit("600/60"),
    /** Queue and cache management writes (retry, delete, clear, pause, warm-up, invalidate) per user. */
    RATE_LIMIT_MONITORING_WRITES: rateLimit("60/60"),
    /** The header holding the client's address (set by your proxy); unset → the socket's address. */
    CLIENT_IP_HEADER: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[a-z0-9-]{1,64}$/i)
        .transform((v) => v.toLowerCase())
        .optional(),
    ),
    /** How old (or how far ahead) a webhook's signed timestamp may be (Toast, local). */
    WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    QUEUE_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
    JOB_BATCH_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    METRICS_TOKEN: optionalString,
    /** Stopped or dead workers stay in the monitoring list (faded) this long after their last heartbeat. */
    WORKER_RETENTION_SECONDS: z.coerce.number().int().min(10).max(3600).default(3600),
    /** Longest a worker with no handler running busy-polls for a read's reply (µs) instead of sleeping; 0 = never (ADR 0035). */
    WORKER_POLL_SPIN_US: z.coerce.number().int().min(0).max(10_000).default(500),
    /** The deployed commit, for `foodhub_build_info` (on Bun, `git rev-parse` is asked when unset). */
    BUILD_COMMIT: optionalString,
    /** A queue whose oldest waiting job is older than this is flagged (dashboard, status, alerts). */
    QUEUE_LONG_WAIT_SECONDS: z.coerce.number().int().min(1).default(60),
    /** Slack-compatible webhook the workers post long-wait and failure-spike alerts to; unset = no notifications. */
    ALERT_WEBHOOK_URL: optionalUrl,
    /** At most one alert of a kind per queue in this window, across every process. */
    ALERT_WINDOW_SECONDS: z.coerce.number().int().min(10).default(900),
    /** A failure spike: this share of a queue's finished attempts failed over the last 5 minutes … */
    ALERT_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.2),
    /** … and at least this many failed. */
    ALERT_FAILURE_MIN: z.coerce.number().int().min(1).default(5),
    /** How often each worker checks for alerts. */
    ALERT_CHECK_SECONDS: z.coerce.number().int().min(1).default(30),
    /** How long one Workers Cron Trigger call keeps reading jobs (ms); running handlers then finish. */
    SCHEDULED_BUDGET_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
    /** The Chromium the dashboard's browser test drives. */
    CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
    /** CI sets it: a missing Chromium fails the browser test instead of skipping it. */
    REQUIRE_BROWSER_TESTS: bool,
    /** CI sets it: tests that run promtool fail when it is missing instead of skipping their check. */
    REQUIRE_PROMTOOL: bool,
    /** The runtime the HTTP-level tests run the app on: in process, or served by workerd or Deno. */
    TEST_RUNTIME: z.enum(["bun", "workerd", "deno"]).default("bun"),
    /** Square Payments, the provider customers' cards are charged through (all three, or none: no card payments). */
    SQUARE_PAYMENTS_BASE_URL: optionalUrl,
    SQUARE_PAYMENTS_ACCESS_TOKEN: optionalString,
    SQUARE_PAYMENTS_LOCATION_ID: optionalString,
    /** How long a charge waits for the provider before the payment stays `pending` for the settle job. */
    PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(100_000).default(10_000),
    /**
     * POS calls per second per connection, by vendor, unless the connection row sets its own
     * (`pos_connections.rate_limit_per_second` / `rate_limit_burst`; burst defaults to one second's
     * worth). Why these numbers: docs/pos-vendors.md, "Rate limits".
     */
    POS_RATE_LIMIT_SQUARE_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
    POS_RATE_LIMIT_TOAST_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
    POS_RATE_LIMIT_LOCAL_PER_SECOND: z.coerce.number().positive().max(10_000).default(20),
    /** Longest a POS call waits in a worker for its rate-limit token; past it the job is released. */
    POS_RATE_LIMIT_MAX_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
    DEV_POS_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    DEV_SEED: bool,
    /** `/docs` and `/openapi.json`; default on, except in production. */
    DOCS_ENABLED: bool,
  })
  .transform((c) => ({
    ...c,
    HOST: c.HOST ?? (c.NODE_ENV === "development" ? "127.0.0.1" : "0.0.0.0"),
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
 * Where the config is used. `bun`: a Bun process that does not serve the API (workers, CLIs,
 * tests' helpers); `api`: the API on Bun (`bun run start`, the dev command); `edge`: the API on
 * an edge runtime (Workers, Deno), which has no embedded database and no Redis TCP server of its
 * own, so it needs DATABASE_URL and the Upstash REST pair. Whatever serves the API must be able
 * to verify bearer tokens.
 */
export type ConfigTarget = "bun" | "api" | "edge";

const VERIFIER_HELP =
  "set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE (an OpenID Connect issuer), or JWT_SECRET (HS256, at least 32 characters; development and tests only), or NODE_ENV=development with a loopback HOST to use the public development secret";

/**
 * Whether the public development secret may be used: only by a development server that listens
 * on loopback. NODE_ENV must be said explicitly (the dev command does), so a bare `bun run start`
 * never signs anyone in with a secret printed in this repository. An edge runtime does not bind
 * an address of its own, so there HOST must be given explicitly as well.
 */
function allowsDevSecret(source: Record<string, unknown>, host: string, target: ConfigTarget): boolean {
  if (source.NODE_ENV !== "development" || !isLoopbackHost(host)) return false;
  return target !== "edge" || present(source.HOST);
}

/** How bearer tokens are verified; the problems with it, and the HS256 secret in force (if any). */
function authSettings(
  source: Record<string, unknown>,
  target: ConfigTarget,
): { problems: string[]; secret: string | undefined } {
  // Read from the raw input, so that these problems are named even when other variables are invalid.
  const nodeEnv = present(source.NODE_ENV) ? source.NODE_ENV : "development";
  const host = present(source.HOST) ? String(source.HOST) : nodeEnv === "development" ? "127.0.0.1" : "0.0.0.0";
  const problems: string[] = [];
  const oidcNames = ["AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"] as const;
  const oidcGiven = oidcNames.filter((name) => present(source[name]));
  for (const name of oidcNames) {
    if (oidcGiven.length > 0 && !oidcGiven.includes(name)) {
      problems.push(`${name}: is required with ${oidcGiven.join(" and ")}`);
    }
  }
  const oidc = oidcGiven.length > 0;
  const production = nodeEnv === "production";
  const devSecretAllowed = allowsDevSecret(source, host, target);
  let secret = present(source.JWT_SECRET) ? String(source.JWT_SECRET) : undefined;
  if (secret !== undefined) {
    if (oidc) problems.push("JWT_SECRET: set either an OpenID Connect issuer (AUTH_*) or JWT_SECRET, not both");
    else if (production) {
      problems.push(
        "JWT_SECRET: HS256 tokens are for development and tests; production verifies tokens from an OpenID Connect issuer (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE)",
      );
    } else if (secret === DEV_JWT_SECRET && !devSecretAllowed) {
      problems.push(
        "JWT_SECRET: is the public development secret, accepted only with NODE_ENV=development on a loopback HOST; set a secret of your own (e.g. `openssl rand -hex 32`)",
      );
    }
  } else if (!oidc) {
    if (devSecretAllowed) secret = DEV_JWT_SECRET;
    else if (production && target !== "bun") {
      problems.push("AUTH_JWKS_URL: is required in production (with AUTH_ISSUER and AUTH_AUDIENCE)");
    } else if (target !== "bun") problems.push(`JWT_SECRET: no way to verify bearer tokens: ${VERIFIER_HELP}`);
  }
  return { problems, secret };
}

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
  if (source.NODE_ENV === "production" && target !== "bun" && !present(source.PUBLIC_BASE_URL)) {
    problems.push("PUBLIC_BASE_URL: is required in production (webhook signatures cover it; never the Host header)");
  }
  const squarePayments = ["SQUARE_PAYMENTS_BASE_URL", "SQUARE_PAYMENTS_ACCESS_TOKEN", "SQUARE_PAYMENTS_LOCATION_ID"];
  if (squarePayments.some((k) => present(source[k]))) {
    for (const key of squarePayments.filter((k) => !present(source[k]))) {
      problems.push(`${key}: is required with the other SQUARE_PAYMENTS_* settings`);
    }
  }
  if (target !== "edge" && present(source.UPSTASH_REDIS_REST_URL) && !present(source.UPSTASH_REDIS_REST_TOKEN)) {
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
  const auth = authSettings(source, target);
  problems.push(...auth.problems);
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return { ...result.data, JWT_SECRET: auth.secret };
}

export type LoadConfigOptions = {
  /** Who uses it (see ConfigTarget); `bun` unless said. */
  target?: ConfigTarget;
  /** Values used where the environment says nothing (the dev command: NODE_ENV=development). */
  defaults?: Record<string, unknown>;
};

/** The process's configuration on Bun: the one place that reads process.env. */
export function loadConfig(overrides: Record<string, unknown> = {}, options: LoadConfigOptions = {}): Config {
  return parseConfig({ ...options.defaults, ...process.env, ...overrides }, options.target);
}

/** For commands: the configuration, or the one clear message and exit code 1. */
export function loadConfigOrExit(overrides: Record<string, unknown> = {}, options: LoadConfigOptions = {}): Config {
  try {
    return loadConfig(overrides, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
