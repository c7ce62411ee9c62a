import type { RedisConnection } from "../redis/types";
import type { QueueLogger } from "./logger";

/**
 * Warns when Redis may evict keys: an evicted stream or delayed set is lost jobs. Managed
 * services often forbid CONFIG; then it says it could not check instead of failing the start.
 */
export async function checkEvictionPolicy(redis: RedisConnection, log: QueueLogger): Promise<string | null> {
  try {
    const reply = await redis.send("CONFIG", ["GET", "maxmemory-policy"]);
    const policy = Array.isArray(reply)
      ? String(reply[1] ?? "")
      : String((reply as Record<string, unknown> | null)?.["maxmemory-policy"] ?? "");
    if (policy !== "noeviction") {
      log.warn("Redis maxmemory-policy is not noeviction: evicted queue keys are lost jobs", { policy });
    }
    return policy;
  } catch (error) {
    log.info("could not read maxmemory-policy", { error: (error as Error).message });
    return null;
  }
}
