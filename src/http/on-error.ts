import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";
import { QueueUnavailableError } from "../queue/errors";

/** Postgres: numeric value out of range, invalid text representation, datetime out of range. */
const OUT_OF_RANGE_CODES = new Set(["22003", "22P02", "22008"]);

function isValueOutOfRange(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (OUT_OF_RANGE_CODES.has((current as { code?: string }).code ?? "")) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

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
  // A value the database cannot hold (an id past the integer range, a date out of bounds) is bad input.
  if (isValueOutOfRange(error)) return new AppError(400, "invalid_value", "a value in the request is out of range");
  return null;
}

/** Turns every thrown error into `{ error: { code, message, details? } }`. */
export function onError(error: Error, c: Context<AppEnv>) {
  const known = toAppError(error);
  if (known) return c.json(known.toBody(), known.status);
  c.var.deps?.logger.error("unhandled error", {
    requestId: c.var.requestId,
    error: error.message,
    cause: error.cause instanceof Error ? error.cause.message : undefined,
    stack: error.stack,
  });
  return c.json(new AppError(500, "internal_error", "internal server error").toBody(), 500);
}
