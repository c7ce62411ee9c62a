import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/**
 * The command line of every `bun run` script: `--help` prints the usage and exits 0; an unknown
 * flag, a missing value or a bad argument prints the problem and the usage and exits 2 — never a
 * stack trace.
 */
export type CommandSpec<O extends ParseArgsOptionsConfig> = {
  /** First line: how to call it; the rest: what it does and what each flag means. */
  usage: string;
  options?: O;
  /** How many positional arguments it takes. Default none. */
  positionals?: { min: number; max: number };
};

/** Thrown for a bad command line; `exitWithUsage` prints it with the usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function parseCommandLine<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
) {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(spec.usage);
    process.exit(0);
  }
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: (spec.options ?? {}) as O,
      allowPositionals: true,
      strict: true,
    });
    const { min, max } = spec.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(
        max === 0
          ? `unexpected argument ${parsed.positionals[0]}`
          : `expected ${min === max ? min : `${min}–${max}`} argument(s)`,
      );
    }
    return parsed;
  } catch (error) {
    return exitWithUsage(spec, error);
  }
}

/** Prints a command-line problem and the usage, then exits 2. */
export function exitWithUsage(spec: Pick<CommandSpec<ParseArgsOptionsConfig>, "usage">, error: unknown): never {
  console.error(`${(error as Error).message}\n\nusage: ${spec.usage}`);
  process.exit(2);
}

/** A flag's value as a whole number within bounds, or a UsageError naming the flag. */
export function intFlag(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got ${value}`,
    );
  }
  return n;
}
