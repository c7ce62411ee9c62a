import type { RedisConnection } from "../redis/types";
import type { ShardKeys } from "./keys";
import type { Delivery } from "./stall-recovery";

/** A start record outlives any entry that is still pending; an abandoned one simply expires. */
const STARTS_TTL_SECONDS = 7 * 24 * 3600;

/**
 * An entry delivered more than once that never finished: whatever held it before stopped without
 * settling it, and it may be what killed that worker. A suspect runs alone on its worker.
 */
export function isSuspect(delivery: Delivery): boolean {
  return delivery.deliveries > 1;
}

/**
 * Records that a suspect's handler is about to start and returns how many starts it has been
 * charged, this one included. The first delivery counts as one start (a fresh entry starts as
 * soon as it is read); after that only starts recorded here count, so redeliveries that never
 * reached a handler (entries buffered beside a crashing job) are never charged.
 */
export async function chargeSuspectStart(redis: RedisConnection, keys: ShardKeys, entryId: string): Promise<number> {
  const key = keys.starts(entryId);
  const [count, expiry] = await redis.pipeline([
    ["INCR", [key]],
    ["EXPIRE", [key, STARTS_TTL_SECONDS]],
  ]);
  if (count instanceof Error) throw count;
  if (expiry instanceof Error) throw expiry;
  return 1 + Number(count);
}

/** Drops the start record once the suspect's attempt is settled. */
export async function forgetSuspectStarts(redis: RedisConnection, keys: ShardKeys, entryId: string): Promise<void> {
  await redis.send("DEL", [keys.starts(entryId)]);
}
