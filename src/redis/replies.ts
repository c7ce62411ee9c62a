/**
 * Normalisers for replies whose shape depends on the protocol: RESP3 (Bun,
 * ioredis 6) returns maps as objects and pairs as nested arrays, RESP2
 * (Upstash REST) returns flat arrays.
 */

export type StreamEntry = { id: string; fields: Record<string, string> };

function asString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/** Field list `[k1, v1, k2, v2]` or an object → a plain record. */
export function toRecord(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (reply == null) return out;
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[asString(reply[i])] = asString(reply[i + 1]);
    return out;
  }
  if (typeof reply === "object") {
    for (const [k, v] of Object.entries(reply as Record<string, unknown>)) out[k] = asString(v);
  }
  return out;
}

function toEntries(list: unknown): StreamEntry[] {
  if (!Array.isArray(list)) return [];
  const entries: StreamEntry[] = [];
  for (const raw of list) {
    // A deleted entry still in the PEL comes back with nil fields.
    if (!Array.isArray(raw)) continue;
    entries.push({ id: asString(raw[0]), fields: toRecord(raw[1]) });
  }
  return entries;
}

/** XREAD / XREADGROUP reply → entries per stream key. */
export function toStreamReply(reply: unknown): Map<string, StreamEntry[]> {
  const out = new Map<string, StreamEntry[]>();
  if (reply == null) return out;
  if (Array.isArray(reply)) {
    for (const pair of reply) {
      if (Array.isArray(pair)) out.set(asString(pair[0]), toEntries(pair[1]));
    }
    return out;
  }
  if (typeof reply === "object") {
    for (const [key, list] of Object.entries(reply as Record<string, unknown>)) out.set(key, toEntries(list));
  }
  return out;
}

/** XRANGE / XAUTOCLAIM's entry list → entries (entries whose data was deleted are skipped). */
export function toStreamEntries(reply: unknown): StreamEntry[] {
  return toEntries(reply);
}

/** ZRANGE … WITHSCORES in either shape → `[member, score]` pairs. */
export function toScoredMembers(reply: unknown): Array<[string, number]> {
  if (!Array.isArray(reply)) return [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    return reply.map((pair) => [asString(pair[0]), Number(pair[1])] as [string, number]);
  }
  const out: Array<[string, number]> = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([asString(reply[i]), Number(reply[i + 1])]);
  return out;
}

/** `INFO` text → key/value record. */
export function parseInfo(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of asString(reply).split(/\r?\n/)) {
    const idx = line.indexOf(":");
    if (idx > 0 && !line.startsWith("#")) out[line.slice(0, idx)] = line.slice(idx + 1);
  }
  return out;
}

/** Integer-ish reply → number (RESP2 over REST can return strings). */
export function toNumber(reply: unknown): number {
  if (typeof reply === "number") return reply;
  if (reply == null) return 0;
  return Number(asString(reply));
}

/** Bulk string or nil → string or null. */
export function toOptionalString(reply: unknown): string | null {
  return reply == null ? null : asString(reply);
}
