import { type Hook, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../kernel/app-env";
import { AppError } from "../kernel/app-error";

/** The validation hook every router uses: zod's message, a stable code, nothing changed. */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return undefined;
  const details = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code }));
  return c.json(new AppError(400, "validation_error", z.prettifyError(result.error), details).toBody(), 400);
};

/**
 * A router with the app's env and validation hook; resources build theirs
 * with this. The app's own router passes `getPath` (it routes, the others are
 * merged into it): that path function then also ignores a trailing slash.
 */
export function createRouter(options: { getPath?: (request: Request) => string } = {}) {
  if (options.getPath) return new OpenAPIHono<AppEnv>({ getPath: options.getPath, defaultHook: validationHook });
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook });
}
