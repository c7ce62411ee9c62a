import { describe, expect, it } from "bun:test";
import { parseWorkerFlags } from "../../workers/index";

describe("bun run worker flags", () => {
  it("reads queues, concurrency, shards and mode", () => {
    expect(
      parseWorkerFlags(["--queue=high,low", "--concurrency=4", "--shards=2", "--mode=weighted"], { QUEUE_SHARDS: 1 }),
    ).toEqual({
      queues: ["high", "low"],
      concurrency: 4,
      shards: 2,
      mode: "weighted",
      metricsPort: undefined,
    });
    expect(parseWorkerFlags([], { QUEUE_SHARDS: 3 })).toEqual({
      queues: ["high", "default", "low"],
      concurrency: 10,
      shards: 3,
      mode: "strict",
      metricsPort: undefined,
    });
    expect(parseWorkerFlags(["--metrics-port=9464"], { QUEUE_SHARDS: 1 }).metricsPort).toBe(9464);
  });

  it("refuses unknown queues, bad numbers and modes with a clear message", () => {
    expect(() => parseWorkerFlags(["--queue=hgh"], { QUEUE_SHARDS: 1 })).toThrow(/unknown queue hgh/);
    expect(() => parseWorkerFlags(["--concurrency=0"], { QUEUE_SHARDS: 1 })).toThrow(/--concurrency/);
    expect(() => parseWorkerFlags(["--mode=fast"], { QUEUE_SHARDS: 1 })).toThrow(/--mode/);
    expect(() => parseWorkerFlags(["--metrics-port=http"], { QUEUE_SHARDS: 1 })).toThrow(/--metrics-port/);
    expect(() => parseWorkerFlags(["--metrics-port=70000"], { QUEUE_SHARDS: 1 })).toThrow(/--metrics-port/);
  });
});
