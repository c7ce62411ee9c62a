import type { HistogramSample } from "./prometheus-text";

/** Upper bounds (seconds) of the HTTP latency histogram. */
export const HTTP_LATENCY_BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Cell = { labels: { method: string; route: string; status: string }; buckets: number[]; sum: number };

function record(cell: Cell, seconds: number): void {
  let i = 0;
  while (i < HTTP_LATENCY_BOUNDS_S.length && !(seconds <= HTTP_LATENCY_BOUNDS_S[i]!)) i += 1;
  cell.buckets[i] = (cell.buckets[i] ?? 0) + 1;
  cell.sum += seconds;
}

/**
 * Request latency per method, route pattern and status, in this process's memory (on Workers, per
 * isolate): Prometheus sums the instances it scrapes. Route patterns keep the label set small.
 */
export class HttpRequestMetrics {
  readonly #cells = new Map<string, Cell>();

  observe(method: string, route: string, status: number, seconds: number): void {
    record(this.#cell(method, route, status), seconds);
  }

  /** One label set's recorder, for a caller that records it often (the fast path keeps it). */
  series(method: string, route: string, status: number): (seconds: number) => void {
    const cell = this.#cell(method, route, status);
    return (seconds) => record(cell, seconds);
  }

  #cell(method: string, route: string, status: number): Cell {
    const key = `${method} ${route} ${status}`;
    let cell = this.#cells.get(key);
    if (!cell) {
      cell = {
        labels: { method, route, status: String(status) },
        buckets: new Array(HTTP_LATENCY_BOUNDS_S.length + 1).fill(0),
        sum: 0,
      };
      this.#cells.set(key, cell);
    }
    return cell;
  }

  samples(): HistogramSample[] {
    return [...this.#cells.values()].map((c) => ({ labels: c.labels, buckets: [...c.buckets], sum: c.sum }));
  }
}
