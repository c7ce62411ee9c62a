import { afterAll } from "bun:test";
import { startLocalRedis } from "../../src/redis/local-server";

// When REDIS_URL is unset, the whole run shares one private redis-server;
// tests isolate themselves with their own key prefixes.
if (!process.env.REDIS_URL) {
  try {
    const local = await startLocalRedis();
    process.env.REDIS_URL = local.url;
    afterAll(() => local.stop());
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL ??= "silent";
