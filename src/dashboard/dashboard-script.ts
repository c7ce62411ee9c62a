let script: Promise<string> | undefined;

/**
 * The dashboard's browser script, built ahead of time by `bun run build:dashboard` and loaded on
 * first use. Nothing is bundled at request time, so every runtime (Bun, Workers, Deno) serves it.
 * A missing build fails this one route with a message saying how to build it.
 */
export function dashboardScript(): Promise<string> {
  script ??= import("./dashboard-script.generated.js").then(
    (module) => module.default,
    (error: unknown) => {
      script = undefined;
      throw new Error("the dashboard script is not built: run `bun run build:dashboard`", { cause: error });
    },
  );
  return script;
}
