/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: it runs unchanged on
 * Bun and on Cloudflare Workers, where prom-client's Node-only registry does not fit.
 */
export type Labels = Readonly<Record<string, string>>;

export type HistogramSample = {
  labels: Labels;
  /** Count per bucket (not cumulative), aligned with the bounds, plus one overflow bucket. */
  buckets: readonly number[];
  sum: number;
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** Collects metric families and renders them, each with its HELP and TYPE lines. */
export class PrometheusText {
  readonly #lines: string[] = [];

  #family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
  }

  #sample(name: string, labels: Labels, value: number): void {
    this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  gauge(name: string, help: string, samples: ReadonlyArray<[Labels, number]>): this {
    this.#family(name, "gauge", help);
    for (const [labels, value] of samples) this.#sample(name, labels, value);
    return this;
  }

  /** `name` must end in `_total`, as the format asks of counters. */
  counter(name: string, help: string, samples: ReadonlyArray<[Labels, number]>): this {
    this.#family(name, "counter", help);
    for (const [labels, value] of samples) this.#sample(name, labels, value);
    return this;
  }

  /** Upper bounds in the metric's unit; `_bucket` lines are cumulative and end with `le="+Inf"`. */
  histogram(name: string, help: string, bounds: readonly number[], samples: readonly HistogramSample[]): this {
    this.#family(name, "histogram", help);
    for (const sample of samples) {
      let cumulative = 0;
      bounds.forEach((bound, i) => {
        cumulative += sample.buckets[i] ?? 0;
        this.#sample(`${name}_bucket`, { ...sample.labels, le: formatValue(bound) }, cumulative);
      });
      const count = sample.buckets.reduce((a, b) => a + b, 0);
      this.#sample(`${name}_bucket`, { ...sample.labels, le: "+Inf" }, count);
      this.#sample(`${name}_sum`, sample.labels, sample.sum);
      this.#sample(`${name}_count`, sample.labels, count);
    }
    return this;
  }

  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}
