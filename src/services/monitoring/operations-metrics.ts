import { asc, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { posConnections } from "../../../db/schema";
import { type PosConnectionStatus, readPosConnectionStatuses } from "../../pos/circuit-breaker";
import { POS_CALL_BOUNDS_S, type PosCallMetrics } from "../../pos/pos-call-metrics";
import { parseInfo } from "../../redis/replies";
import type { RedisConnection } from "../../redis/types";
import type { BuildInfo, ProcessMetrics } from "./process-metrics";
import type { Labels, PrometheusText } from "./prometheus-text";

const BREAKER_STATES = ["closed", "half_open", "open"] as const;
/** Connections read per pipeline, so a large fleet never builds one huge Redis reply. */
const BREAKER_CHUNK = 500;

/** The breaker of every active POS connection, from the `pos_connections` rows and their Redis entries. */
export async function readBreakerStates(db: Database, redis: RedisConnection, prefix: string) {
  const rows = await db
    .select({ restaurantId: posConnections.restaurantId, posType: posConnections.posType })
    .from(posConnections)
    .where(eq(posConnections.status, "active"))
    .orderBy(asc(posConnections.restaurantId), asc(posConnections.posType));
  const statuses: PosConnectionStatus[] = [];
  for (let i = 0; i < rows.length; i += BREAKER_CHUNK) {
    statuses.push(...(await readPosConnectionStatuses(redis, prefix, rows.slice(i, i + BREAKER_CHUNK))));
  }
  return statuses;
}

export type RedisMemory = { usedBytes: number; maxBytes: number };

/** `INFO memory` of the node the connection reaches (on a cluster, one node; see docs/monitoring.md). */
export async function readRedisMemory(redis: RedisConnection): Promise<RedisMemory | null> {
  const info = parseInfo(await redis.send("INFO", ["memory"]));
  if (info.used_memory === undefined) return null;
  return { usedBytes: Number(info.used_memory), maxBytes: Number(info.maxmemory ?? 0) };
}

/** `foodhub_build_info` and the conventional `process_*` families (each only when the runtime can tell it). */
export function writeProcessFamilies(text: PrometheusText, build: BuildInfo, proc: ProcessMetrics): void {
  text.gauge("foodhub_build_info", "Always 1; the labels say which build and runtime serve this process.", [
    [{ version: build.version, runtime: build.runtime, commit: build.commit }, 1],
  ]);
  if (proc.residentMemoryBytes !== null) {
    text.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [[{}, proc.residentMemoryBytes]]);
  }
  if (proc.cpuSeconds !== null) {
    text.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", [
      [{}, proc.cpuSeconds],
    ]);
  }
  if (proc.startTimeSeconds !== null) {
    text.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", [
      [{}, proc.startTimeSeconds],
    ]);
  }
}

/** POS call latency and errors by vendor (this process), and the shared breaker state per connection. */
export function writePosFamilies(
  text: PrometheusText,
  calls: PosCallMetrics,
  breakers: readonly PosConnectionStatus[] | null,
): void {
  text.histogram(
    "foodhub_pos_request_duration_seconds",
    "Latency of HTTP exchanges with a POS, by vendor (this process).",
    POS_CALL_BOUNDS_S,
    calls.latency().map((l) => ({ labels: { vendor: l.vendor }, buckets: l.buckets, sum: l.sum })),
  );
  text.counter(
    "foodhub_pos_request_errors_total",
    "Failed HTTP exchanges with a POS, by vendor and reason (server, rate_limited, network, timeout, validation, auth, not_found, aborted).",
    calls.errors().map((e) => [{ vendor: e.vendor, reason: e.reason }, e.count]),
  );
  if (!breakers) return;
  const connection = (b: PosConnectionStatus): Labels => ({ restaurant_id: String(b.restaurantId), vendor: b.posType });
  text.gauge(
    "foodhub_pos_circuit_breaker_state",
    "Circuit breaker of each active POS connection: 1 for its current state (closed, half_open, open), 0 for the others.",
    breakers.flatMap((b) =>
      BREAKER_STATES.map((state) => [{ ...connection(b), state }, b.state === state ? 1 : 0] as [Labels, number]),
    ),
  );
  text.gauge(
    "foodhub_pos_circuit_breaker_failures",
    "Consecutive outage failures the breaker of each active POS connection has counted.",
    breakers.map((b) => [connection(b), b.failures]),
  );
}

/** Redis memory against its limit (`maxmemory` 0 means no limit). */
export function writeRedisFamilies(text: PrometheusText, memory: RedisMemory | null): void {
  if (!memory) return;
  text.gauge("foodhub_redis_memory_used_bytes", "Memory Redis reports in use (INFO memory used_memory).", [
    [{}, memory.usedBytes],
  ]);
  text.gauge("foodhub_redis_memory_max_bytes", "Redis maxmemory; 0 when no limit is set.", [[{}, memory.maxBytes]]);
}
