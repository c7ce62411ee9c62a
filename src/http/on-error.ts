import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "./app-env";
import { AppError } from "./app-error";

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
  c.var.deps?.logger.error("unhandled error", {
    requestId: c.var.requestId,
    error: error.message,
    cause: error.cause instanceof Error ? error.cause.message : undefined,
    stack: error.stack,
  });
  return c.json({ error: { code: "internal_error", message: "internal server error" } }, 500);
}
