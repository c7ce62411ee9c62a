/**
 * What may be said about a failed database query in a log: the statement (placeholders, never the
 * values), the SQLSTATE and the object it concerns. Neither drizzle's message ("Failed query: …
 * params: …") nor Postgres' own ("invalid input syntax for type integer: \"…\"") is logged: both
 * can carry what a client sent.
 */
export type DatabaseErrorFacts = {
  query?: string;
  sqlState?: string;
  table?: string;
  column?: string;
  constraint?: string;
};

type Failure = {
  query?: unknown;
  params?: unknown;
  code?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  cause?: unknown;
};

const SQLSTATE = /^[0-9A-Z]{5}$/;
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** The SQLSTATE of a database error anywhere in a cause chain, or null. */
export function sqlStateOf(error: unknown): string | null {
  let current = error as Failure | undefined;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (typeof current.code === "string" && SQLSTATE.test(current.code)) return current.code;
    current = current.cause as Failure | undefined;
  }
  return null;
}

/** The loggable facts of a database error, or null when the error did not come from the database. */
export function databaseErrorFacts(error: unknown): DatabaseErrorFacts | null {
  const facts: DatabaseErrorFacts = {};
  let found = false;
  let current = error as Failure | undefined;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (typeof current.query === "string" && Array.isArray(current.params)) {
      facts.query = current.query;
      found = true;
    }
    if (typeof current.code === "string" && SQLSTATE.test(current.code)) {
      facts.sqlState = current.code;
      facts.table = text(current.table);
      facts.column = text(current.column);
      facts.constraint = text(current.constraint);
      found = true;
    }
    current = current.cause as Failure | undefined;
  }
  return found ? facts : null;
}

/** A stack without its message lines (which repeat the message): only the frames. */
export function stackFrames(error: Error): string | undefined {
  return error.stack
    ?.split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
}
