import type { PosType } from "./types";

/**
 * Every Redis key of POS sync outside the queue, under the configured prefix. Each is one key
 * per command (Redis Cluster safe); none is listed with `KEYS` or `SCAN`.
 */
export function posKeys(prefix: string) {
  return {
    /** A connection's circuit breaker and status (JSON, TTL 300 s). */
    connection: (restaurantId: number, posType: PosType) => `${prefix}:pos:connection:${restaurantId}:${posType}`,
    /** A connection's rate limit: its token bucket and the pause a 429 set (one hash, one slot). */
    rateLimit: (restaurantId: number, posType: PosType) => `${prefix}:pos:rate:${restaurantId}:${posType}`,
    /**
     * A webhook event already acted on (24 h), so a vendor's redelivery is not acted on twice;
     * per POS connection, so one connection's event ids never shadow another's.
     */
    webhookSeen: (connectionId: number, eventId: string) => `${prefix}:webhook:seen:${connectionId}:${eventId}`,
    /** Slot `slot` of a scheduled pull: the first worker to set it dispatches the pull. */
    scheduleSlot: (kind: "inventory" | "menu", restaurantId: number, slot: number) =>
      `${prefix}:schedule:${kind}:${restaurantId}:${slot}`,
  };
}
