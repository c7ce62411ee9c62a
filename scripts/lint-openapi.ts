import { mkdirSync, writeFileSync } from "node:fs";
import { openDatabase } from "../db/client";
import { createApp } from "../src/app";
import { loadConfigOrExit } from "../src/config";
import { createLogger } from "../src/logger";
import { RestRedis } from "../src/redis/rest";
import { parseCommandLine } from "../src/runtime/command-line";

/**
 * `bun run lint:openapi`: writes the app's /openapi.json to .data/openapi.json (from the app itself,
 * no server started) and lints it with Redocly against redocly.yaml. Exits with Redocly's code.
 */
const OUT = ".data/openapi.json";
parseCommandLine({
  usage: `bun run lint:openapi

  Dumps the API's OpenAPI document to ${OUT} and lints it with Redocly (rules in redocly.yaml);
  fails on any error.`,
});

// Tokens are never verified here; a throwaway HS256 secret satisfies the app's configuration.
const config = loadConfigOrExit({
  DOCS_ENABLED: "true",
  LOG_LEVEL: "silent",
  NODE_ENV: "test",
  JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
});
// The document is built from the routes alone: the database and Redis are never queried.
const database = await openDatabase({});
const redis = new RestRedis({ url: "http://127.0.0.1:9", token: "unused" });
const app = createApp({ config, db: database.db, redis, logger: createLogger("silent") });
const response = await app.request(
  config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL}/openapi.json` : "http://localhost:3000/openapi.json",
);
if (!response.ok) {
  console.error(`/openapi.json answered ${response.status}`);
  process.exit(1);
}
mkdirSync(".data", { recursive: true });
writeFileSync(OUT, `${JSON.stringify(await response.json(), null, 2)}\n`);
await database.close();
console.log(`wrote ${OUT}`);

const root = new URL("../", import.meta.url).pathname;
const lint = Bun.spawn([`${root}node_modules/.bin/redocly`, "lint", OUT, "--config", `${root}redocly.yaml`], {
  stdout: "inherit",
  stderr: "inherit",
  env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
});
process.exit(await lint.exited);
