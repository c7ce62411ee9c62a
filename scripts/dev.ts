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
  stopOnSignals();
  await main();
}
