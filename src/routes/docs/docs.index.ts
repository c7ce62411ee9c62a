import { Scalar } from "@scalar/hono-api-reference";
import { createRouter } from "../../http/create-router";
import { routeNotFound } from "../../kernel/app-error";

/**
 * `/docs`: the interactive API reference (Scalar) over `/openapi.json`, rendered by the standalone
 * script of the installed @scalar/api-reference, which this router serves itself: no CDN, so the
 * page works offline and no third party sees who reads the docs. Off when DOCS_ENABLED is false
 * (the default in production). Bun and Deno read the script from node_modules; the Workers entry embeds it.
 */
export const DOCS_SCRIPT_PATH = "/docs/scalar.js";

let loaded: Promise<Blob | null> | undefined;
let bundled: string | undefined;

/**
 * Where the runtime has no node_modules to read (Workers), its entry hands over the script its
 * bundler embedded (wrangler.toml imports the same file as text).
 */
export function provideDocsScript(script: string): void {
  bundled = script;
  loaded = undefined;
}

/** The bundle (4.9 MB), read once per process; null where there is neither a file nor an embedded copy. */
function referenceScript(): Promise<Blob | null> {
  loaded ??= (async () => {
    if (bundled !== undefined) return new Blob([bundled], { type: "text/javascript; charset=utf-8" });
    try {
      // Resolved here, not at load: on Workers import.meta.url is no base for a file URL.
      const bundle = new URL("../../../node_modules/@scalar/api-reference/dist/browser/standalone.js", import.meta.url);
      const { readFile } = await import("node:fs/promises");
      return new Blob([await readFile(bundle)], { type: "text/javascript; charset=utf-8" });
    } catch {
      // No file system with node_modules, and nothing embedded.
      return null;
    }
  })();
  return loaded;
}

const page = Scalar({
  url: "/openapi.json",
  pageTitle: "FoodHub Sync API",
  cdn: DOCS_SCRIPT_PATH,
  // Fonts come from a CDN by default; the page uses the system's instead, so it renders offline.
  withDefaultFonts: false,
  telemetry: false,
});

export const docsRouter = createRouter()
  .get(DOCS_SCRIPT_PATH, async () => {
    const script = await referenceScript();
    if (!script) throw routeNotFound("GET", DOCS_SCRIPT_PATH);
    return new Response(script, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" },
    });
  })
  .use("/docs", async (_c, next) => {
    if (!(await referenceScript())) throw routeNotFound("GET", "/docs");
    await next();
  })
  .get("/docs", page);
