import { describe, expect, it } from "bun:test";
import { decodeEnvelope, encodeEnvelope, type JobEnvelope, newJobId } from "../../src/queue/envelope";

const fresh: JobEnvelope = {
  id: "YDVyP_esGqJc-prXjX3NgQ",
  name: "OrderSyncToPOS",
  queue: "high",
  payload: { orderId: 7 },
  attempts: 0,
  partition: "3",
  createdAt: 1_764_620_000_000,
  availableAt: 1_764_620_000_000,
};

describe("job envelope", () => {
  it("stores a fresh job without the fields that hold their defaults, and reads it back whole", () => {
    const text = encodeEnvelope(fresh);
    expect(text).not.toContain("attempts");
    expect(text).not.toContain("availableAt");
    expect(decodeEnvelope(text)).toEqual(fresh);
  });

  it("keeps attempts and a later availability once a job has been retried", () => {
    const retried = { ...fresh, attempts: 2, availableAt: fresh.createdAt + 60_000, lastError: "POS down" };
    expect(decodeEnvelope(encodeEnvelope(retried))).toEqual(retried);
  });

  it("still reads envelopes written in the earlier, complete form", () => {
    expect(decodeEnvelope(JSON.stringify(fresh))).toEqual(fresh);
  });

  it("makes 22-character url-safe ids, none alike", () => {
    const ids = new Set(Array.from({ length: 1000 }, newJobId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
