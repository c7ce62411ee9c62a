import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";
import { databaseErrorFacts, sqlStateOf, stackFrames } from "../kernel/database-errors";
import { QueueUnavailableError } from "../queue/errors";

/** Postgres: numeric value out of range, invalid text representation, datetime out of range. */
const OUT_OF_RANGE_CODES = new Set(["22003", "22P02", "22008"]);
/** Postgres: text it refuses to store (a NUL byte, a bad byte sequence, a bad \u escape in JSON). */
const UNSTORABLE_TEXT_CODES = new Set(["22021", "22P05", "22025"]);

/** What the client is told about a thrown error; anything unexpected is an opaque 500. */
function toAppError(error: Error): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return new AppError(400, "validation_error", error.message, error.issues);
  // Redis is down or did not answer in time: nothing was queued for sure, the caller retries.
  if (error instanceof QueueUnavailableError) {
    return new AppError(503, "queue_unavailable", "could not queue the work; retry later");
  }
  if (error instanceof HTTPException) {
    const code = error.status === 413 ? "payload_too_large" : `http_${error.status}`;
    return new AppError(error.status, code, error.message || "request rejected");
  }
  const sqlState = sqlStateOf(error);
  // A value the database cannot hold (an id past the integer range, a date out of bounds) is bad input.
  if (sqlState && OUT_OF_RANGE_CODES.has(sqlState)) {
    return new AppError(400, "invalid_value", "a value in the request is out of range");
  }
  // The request guard refuses NUL bytes first; this catches any other text Postgres will not store.
  if (sqlState && UNSTORABLE_TEXT_CODES.has(sqlState)) {
    return new AppError(400, "validation_error", "a text value in the request cannot be stored (invalid characters)");
  }
  return null;
}

/** Turns every thrown error into `{ error: { code, message, details? } }`. */
export function onError(error: Error, c: Context<AppEnv>) {
  const known = toAppError(error);
  if (known) return c.json(known.toBody(), known.status);
  const database = databaseErrorFacts(error);
  // A database error's messages may quote what the client sent: log only what the query was.
  c.var.deps?.logger.error(
    "unhandled error",
    database
      ? { requestId: c.var.requestId, error: "database error", database, stack: stackFrames(error) }
      : {
          requestId: c.var.requestId,
          error: error.message,
          cause: error.cause instanceof Error ? error.cause.message : undefined,
          stack: error.stack,
        },
  );
  return c.json(new AppError(500, "internal_error", "internal server error").toBody(), 500);
}
