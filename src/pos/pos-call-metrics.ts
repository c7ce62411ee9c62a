import type { PosErrorReason } from "./errors";
import type { PosType } from "./types";

/** Upper bounds (seconds) of the POS call latency histogram. */
export const POS_CALL_BOUNDS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Why a call failed: the adapter's classification, or `aborted` when the caller gave up first. */
export type PosCallErrorReason = PosErrorReason | "aborted";

type LatencyCell = { buckets: number[]; sum: number };

/**
 * Every HTTP exchange with a POS in this process: latency per vendor and errors per vendor and
 * reason. Kept in memory like the HTTP latency: each process exposes its own and Prometheus sums
 * them. One instance per process by default (`processPosCallMetrics`); tests pass their own.
 */
export class PosCallMetrics {
  readonly #latency = new Map<PosType, LatencyCell>();
  readonly #errors = new Map<string, { vendor: PosType; reason: PosCallErrorReason; count: number }>();

  observe(vendor: PosType, seconds: number, error?: PosCallErrorReason): void {
    let cell = this.#latency.get(vendor);
    if (!cell) {
      cell = { buckets: new Array(POS_CALL_BOUNDS_S.length + 1).fill(0), sum: 0 };
      this.#latency.set(vendor, cell);
    }
    const i = POS_CALL_BOUNDS_S.findIndex((bound) => seconds <= bound);
    const index = i === -1 ? POS_CALL_BOUNDS_S.length : i;
    cell.buckets[index] = (cell.buckets[index] ?? 0) + 1;
    cell.sum += seconds;
    if (error === undefined) return;
    const key = `${vendor} ${error}`;
    const counted = this.#errors.get(key) ?? { vendor, reason: error, count: 0 };
    counted.count += 1;
    this.#errors.set(key, counted);
  }

  latency(): Array<{ vendor: PosType; buckets: number[]; sum: number }> {
    return [...this.#latency].map(([vendor, c]) => ({ vendor, buckets: [...c.buckets], sum: c.sum }));
  }

  errors(): Array<{ vendor: PosType; reason: PosCallErrorReason; count: number }> {
    return [...this.#errors.values()].map((e) => ({ ...e }));
  }
}

/** This process's POS calls: what the adapters record into unless given another instance. */
export const processPosCallMetrics = new PosCallMetrics();
