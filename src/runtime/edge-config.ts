import { type Config, ConfigError, parseConfig } from "../config";
import { createLogger } from "../logger";

/**
 * The configuration of an edge process (a Workers isolate, a Deno server), parsed once from its
 * bindings or environment by the same zod schema as on Bun. An invalid one is kept as well: the
 * bindings cannot change under a running isolate, so every request gets the same answer.
 */
export function edgeConfigOnce(): (source: Record<string, unknown>) => Config | ConfigError {
  let parsed: Config | ConfigError | undefined;
  return (source) => {
    if (parsed) return parsed;
    try {
      parsed = parseConfig(source, "edge");
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      parsed = error;
    }
    return parsed;
  };
}

/** One 500 for a request that an invalid configuration keeps from being served, and one log line naming every problem. */
export function invalidConfigResponse(error: ConfigError): Response {
  createLogger("error").error("invalid configuration", { problems: error.problems });
  return Response.json(
    {
      error: {
        code: "invalid_configuration",
        message: `the server is misconfigured (${error.problems.length} problem(s), named in its log)`,
      },
    },
    { status: 500 },
  );
}
