import type { HistogramSample } from "./prometheus-text";

/** Upper bounds (seconds) of the HTTP latency histogram. */
export const HTTP_LATENCY_BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Cell = { labels: { method: string; route: string; status: string }; buckets: number[]; sum: number };

/**
 * Request latency per method, route pattern and status, in this process's memory (on Workers, per
 * isolate): Prometheus sums the instances it scrapes. Route patterns keep the label set small.
 */
export class HttpRequestMetrics {
  readonly #cells = new Map<string, Cell>();

  observe(method: string, route: string, status: number, seconds: number): void {
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
    const i = HTTP_LATENCY_BOUNDS_S.findIndex((bound) => seconds <= bound);
    const index = i === -1 ? HTTP_LATENCY_BOUNDS_S.length : i;
    cell.buckets[index] = (cell.buckets[index] ?? 0) + 1;
    cell.sum += seconds;
  }

  samples(): HistogramSample[] {
    return [...this.#cells.values()].map((c) => ({ labels: c.labels, buckets: [...c.buckets], sum: c.sum }));
  }
}
