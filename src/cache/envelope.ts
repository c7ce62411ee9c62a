/**
 * What a cache key holds: `{stamp}|{etag}|{json}`. The stamp is the
 * generations the value was computed under; a value whose stamp no longer
 * matches the current generations is stale and treated as a miss. The JSON is
 * stored serialised so a hit is served without parsing or re-serialising.
 */
export type Envelope = { stamp: string; etag: string; json: string };

export function encodeEnvelope(envelope: Envelope): string {
  return `${envelope.stamp}|${envelope.etag}|${envelope.json}`;
}

export function decodeEnvelope(raw: string): Envelope | null {
  const first = raw.indexOf("|");
  const second = first < 0 ? -1 : raw.indexOf("|", first + 1);
  if (second < 0) return null;
  return { stamp: raw.slice(0, first), etag: raw.slice(first + 1, second), json: raw.slice(second + 1) };
}

/** A strong ETag from the bytes served (Web Crypto, so it runs on Bun and Workers alike). */
export async function etagFor(json: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(json));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex.slice(0, 32)}"`;
}
