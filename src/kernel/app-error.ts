import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one shape of every error response. */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** Every error the API reports: an HTTP status and a stable machine-readable code. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The response body; the only place an error body is written. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const forbidden = (message = "you are not allowed to do this") => new AppError(403, "forbidden", message);
export const unauthorized = (message = "a valid bearer token is required") =>
  new AppError(401, "unauthorized", message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new AppError(422, code, message, details);
export const routeNotFound = (method: string, path: string) =>
  new AppError(404, "route_not_found", `no route for ${method} ${path}`);
