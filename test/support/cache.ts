import { CachingService } from "../../src/cache/caching-service";
import { createLogger } from "../../src/logger";
import type { TestApp } from "./app";

/**
 * A second CachingService on the test app's Redis and prefix: what another
 * instance, or the worker after a POS menu sync, would hold.
 */
export function cacheBeside(t: TestApp): CachingService {
  return new CachingService(t.redis, createLogger("silent"), { prefix: t.config.REDIS_PREFIX });
}
