import { parseCommandLine } from "../src/runtime/command-line";
import { startServer } from "../src/server";
import { startDevSystem, stopOnSignals } from "./dev-system";

/**
 * `bun run dev`: the whole system on embedded defaults (scripts/dev-system.ts) with the API on
 * Bun. `bun run dev:edge` is the same system with the API in workerd.
 */
async function main() {
  const system = await startDevSystem();
  const server = await startServer({
    config: system.config,
    redis: system.redis,
    db: system.database.db,
    logger: system.logger,
  });
  system.running("api", () => server.stop());
  system.say(`API on ${server.url}  ·  docs ${server.url}/docs`);
  await system.announce(server.url);
}

if (import.meta.main) {
  parseCommandLine({
    usage: `bun run dev

  The whole system on embedded defaults: a private Redis (unless REDIS_URL is set), PGlite in
  PGLITE_DIR (served to the commands you run next to it), migrations, demo data, the POS
  simulator, one worker and the API on PORT. Ctrl-C stops it; delete .data/ to start over.`,
  });
  stopOnSignals();
  await main();
}
