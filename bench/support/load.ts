/** A small closed-loop load generator: `concurrency` loops each sending a request as soon as the last answered. */

export type LoadResult = { requests: number; rps: number; p50Ms: number; p99Ms: number; errors: number };

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Runs `send` from `concurrency` loops for `durationMs` (after a warm-up of
 * `warmupMs` that is not measured). `before` runs untimed ahead of every
 * request, for cases that must set something up (a cache miss).
 */
export async function runLoad(options: {
  send: () => Promise<Response>;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  before?: () => Promise<void>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  const warmupEnds = performance.now() + (options.warmupMs ?? 500);
  const ends = warmupEnds + options.durationMs;
  async function loop() {
    while (performance.now() < ends) {
      if (options.before) await options.before();
      const started = performance.now();
      const res = await options.send();
      await res.arrayBuffer();
      const elapsed = performance.now() - started;
      if (res.status >= 400) errors += 1;
      if (started >= warmupEnds) {
        measuring = true;
        latencies.push(elapsed);
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  if (!measuring) throw new Error("no request completed inside the measured window");
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / (options.durationMs / 1000)),
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    errors,
  };
}

/** Zipf weights over `n` ranks with exponent `s`, as a cumulative table for sampling. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cumulative.push(acc);
  }
  return () => {
    const r = random();
    const index = cumulative.findIndex((c) => r <= c);
    return index < 0 ? n - 1 : index;
  };
}
