import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";

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

/** Turns every thrown error into `{ error: { code, message, details? } }`. */
export function onError(error: Error, c: Context<AppEnv>) {
  if (error instanceof AppError) {
    return c.json({ error: { code: error.code, message: error.message, details: error.details } }, error.status);
  }
  if (error instanceof ZodError) {
    return c.json({ error: { code: "validation_error", message: error.message, details: error.issues } }, 400);
  }
  if (error instanceof HTTPException) {
    const code = error.status === 413 ? "payload_too_large" : `http_${error.status}`;
    return c.json({ error: { code, message: error.message || "request rejected" } }, error.status);
  }
  if (isValueOutOfRange(error)) {
    // A value the database cannot hold (an id past the integer range, a date out of bounds) is bad input.
    return c.json({ error: { code: "invalid_value", message: "a value in the request is out of range" } }, 400);
  }
  c.var.deps?.logger.error("unhandled error", {
    requestId: c.var.requestId,
    error: error.message,
    cause: error.cause instanceof Error ? error.cause.message : undefined,
    stack: error.stack,
  });
  return c.json({ error: { code: "internal_error", message: "internal server error" } }, 500);
}
