import type { AppDeps } from "../http/app-env";

/**
 * The long-lived services the routes call, built once per app from its
 * dependencies. Each feature adds its service here, so handlers reach it as
 * `c.var.services.<name>` and tests get the real thing through `createApp`.
 */
export type AppServices = Record<string, never>;

export function createAppServices(_deps: AppDeps): AppServices {
  return {};
}
