/**
 * Redis Cluster's key → slot mapping: CRC16 (XMODEM) of the key, or of its
 * hash tag (the part between the first `{` and the next `}`, when non-empty),
 * modulo 16384. Used to find the node that owns a key (WAIT after a durable
 * write) and to show where queue shards land.
 */
export const CLUSTER_SLOTS = 16_384;

const table = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  table[i] = crc & 0xffff;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ table[((crc >> 8) ^ byte) & 0xff]!) & 0xffff;
  return crc;
}

/** The part of a key that decides its slot. */
export function hashedPart(key: string): string {
  const open = key.indexOf("{");
  if (open === -1) return key;
  const close = key.indexOf("}", open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** The cluster slot of a key. */
export function keySlot(key: string): number {
  return crc16(new TextEncoder().encode(hashedPart(key))) % CLUSTER_SLOTS;
}
