import { describe, expect, it } from "bun:test";
import { keySlot } from "./key-slot";

describe("keySlot", () => {
  it("matches the slots Redis Cluster documents", () => {
    // Values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
    expect(keySlot("123456789")).toBe(12739);
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("somekey")).toBe(11058);
  });

  it("hashes only the hash tag when there is one", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("{fh:0}:stream:high")).toBe(keySlot("{fh:0}:delayed"));
    expect(keySlot("foo{}{bar}")).toBe(keySlot("foo{}{bar}"));
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
  });
});
