/**
 * Job time runs 500 times faster in these tests: a 60 s backoff takes 120 ms, a 120 s job timeout
 * 240 ms — room for an attempt's own round trips (claim, breaker, rate limit) on a loaded machine.
 */
export const TIME_SCALE = 0.002;

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
