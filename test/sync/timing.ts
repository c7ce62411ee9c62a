/** Job time runs a thousand times faster in these tests: a 60 s backoff takes 60 ms. */
export const TIME_SCALE = 0.001;

/** Worker settings for tests: short blocks, quick stall detection. */
export const FAST_WORKER = {
  blockMs: 100,
  promoteIntervalMs: 50,
  stallGraceMs: 400,
  stallCheckIntervalMs: 200,
  heartbeatIntervalMs: 200,
  metricsFlushIntervalMs: 200,
  concurrency: 8,
} as const;

/** A breaker that cools down in 300 ms instead of 30 s. */
export const FAST_BREAKER = { cooldownMs: 300, probeTimeoutMs: 2_000 } as const;
