/** One row of an extended XPENDING reply. */
export type PendingRow = [entryId: string, consumer: string, idleMs: number, deliveries: number];

/** Rows of an extended XPENDING reply (`XPENDING key group [IDLE ms] start end count [consumer]`). */
export function pendingRows(reply: unknown): PendingRow[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((row) => {
    const r = row as unknown[];
    return [String(r[0]), String(r[1]), Number(r[2]), Number(r[3])];
  });
}
