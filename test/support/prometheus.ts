import { expect } from "bun:test";

export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = { name: string; type: string; help: string; samples: Sample[] };

/**
 * A strict reader of the Prometheus text format (0.0.4): HELP and TYPE before samples, label
 * escapes, values incl. +Inf/NaN, histogram series (`_bucket`, `_sum`, `_count`) folded into
 * their family. Throws on any line it cannot read.
 */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: "", samples: [] };
      families.set(name, f);
    }
    return f;
  };
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === "TYPE") {
        if (f.samples.length > 0) throw new Error(`TYPE after samples: ${line}`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]!)) throw new Error(line);
        f.type = meta[3]!;
      } else f.help = meta[3]!;
      continue;
    }
    if (line.startsWith("#") || line === "") continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!sample) throw new Error(`unreadable line: ${line}`);
    const labels: Record<string, string> = {};
    const body = sample[2] ?? "";
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
    while (label.lastIndex < body.length) {
      const m = label.exec(body);
      if (!m) throw new Error(`bad labels: ${line}`);
      labels[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const raw = sample[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`bad value: ${line}`);
    const name = sample[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const owner = families.get(base)?.type === "histogram" ? base : name;
    if (!families.has(owner)) throw new Error(`sample without TYPE: ${line}`);
    family(owner).samples.push({ name, labels, value });
  }
  return families;
}

export const value = (f: Family | undefined, name: string, labels: Record<string, string>) =>
  f?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

/** Histogram invariants: buckets cumulative per series, the +Inf bucket equals _count. */
export function checkHistogram(f: Family) {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples.filter((s) => s.name.endsWith("_bucket"))) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    expect(value(f, `${f.name}_count`, JSON.parse(key))).toBe(values.at(-1)!);
  }
}
