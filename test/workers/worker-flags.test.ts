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
      supervisor: undefined,
      pool: null,
    });
    expect(parseWorkerFlags([], { QUEUE_SHARDS: 3 })).toEqual({
      queues: ["high", "default", "low"],
      concurrency: 10,
      shards: 3,
      mode: "strict",
      metricsPort: undefined,
      supervisor: undefined,
      pool: null,
    });
    expect(parseWorkerFlags(["--metrics-port=9464"], { QUEUE_SHARDS: 1 }).metricsPort).toBe(9464);
  });

  it("reads the supervisor's pool flags", () => {
    expect(
      parseWorkerFlags(["--min-processes=1", "--max-processes=4", "--balance=auto", "--cooldown=0.5"], {
        QUEUE_SHARDS: 1,
      }).pool,
    ).toEqual({ balance: "auto", minProcesses: 1, maxProcesses: 4, cooldownMs: 500, maxShift: 1, jobsPerProcess: 500 });
    expect(parseWorkerFlags(["--balance=off", "--min-processes=3"], { QUEUE_SHARDS: 1 }).pool).toMatchObject({
      balance: "off",
      minProcesses: 3,
      maxProcesses: 3,
    });
    expect(() => parseWorkerFlags(["--balance=sometimes"], { QUEUE_SHARDS: 1 })).toThrow(/--balance/);
    expect(() => parseWorkerFlags(["--min-processes=3", "--max-processes=2"], { QUEUE_SHARDS: 1 })).toThrow(
      /--max-processes/,
    );
  });

  it("refuses unknown queues, bad numbers and modes with a clear message", () => {
    expect(() => parseWorkerFlags(["--queue=hgh"], { QUEUE_SHARDS: 1 })).toThrow(/unknown queue hgh/);
    expect(() => parseWorkerFlags(["--concurrency=0"], { QUEUE_SHARDS: 1 })).toThrow(/--concurrency/);
    expect(() => parseWorkerFlags(["--mode=fast"], { QUEUE_SHARDS: 1 })).toThrow(/--mode/);
    expect(() => parseWorkerFlags(["--metrics-port=http"], { QUEUE_SHARDS: 1 })).toThrow(/--metrics-port/);
    expect(() => parseWorkerFlags(["--metrics-port=70000"], { QUEUE_SHARDS: 1 })).toThrow(/--metrics-port/);
  });
});
