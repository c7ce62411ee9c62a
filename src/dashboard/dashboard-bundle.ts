let bundle: Promise<string> | undefined;

/**
 * The dashboard's script with chart.js, bundled by Bun on first use and kept in memory: the app
 * serves it itself, with no build step or build server. Only Bun can bundle, so other runtimes
 * (Workers) get an error from this route.
 */
export function dashboardBundle(): Promise<string> {
  bundle ??= build().catch((error: unknown) => {
    // A failed build is retried by the next request rather than cached.
    bundle = undefined;
    throw error;
  });
  return bundle;
}

async function build(): Promise<string> {
  if (typeof Bun === "undefined") throw new Error("the dashboard bundle is built by Bun; this runtime is not Bun");
  const result = await Bun.build({
    entrypoints: [new URL("./client/dashboard.ts", import.meta.url).pathname],
    target: "browser",
    format: "esm",
    minify: true,
  });
  const [output] = result.outputs;
  if (!result.success || !output) throw new AggregateError(result.logs, "dashboard bundle failed");
  return output.text();
}
