import type { PosType } from "../types";
import type { VendorFaults } from "./faults";

const VENDORS: readonly PosType[] = ["square", "toast", "local"];

function number(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--fault ${flag}: "${value}" is not a non-negative number`);
  return n;
}

function parseOne(value: string, flag: string, startedAt: number): VendorFaults {
  const [key, raw = ""] = value.split("=", 2);
  switch (key) {
    case "latencyMs":
      return { latencyMs: number(raw, flag) };
    case "errorRate":
    case "failAfterCommitRate":
    case "hangRate": {
      const rate = number(raw, flag);
      if (rate > 1) throw new Error(`--fault ${flag}: a rate is between 0 and 1`);
      return { [key]: rate };
    }
    case "rateLimit": {
      const [remaining = "", retryAfter = "1"] = raw.split("x");
      return { rateLimit: { remaining: number(remaining, flag), retryAfterSeconds: number(retryAfter, flag) } };
    }
    case "requestLimit": {
      const [perSecond = "", burst] = raw.split("x");
      const rate = number(perSecond, flag);
      if (rate <= 0) throw new Error(`--fault ${flag}: a request limit is above 0 per second`);
      return {
        requestLimit: { perSecond: rate, burst: Math.max(1, burst === undefined ? rate : number(burst, flag)) },
      };
    }
    case "outage": {
      const [from = "", to] = raw.split("-");
      const start = to === undefined ? 0 : number(from, flag);
      const end = to === undefined ? number(from, flag) : number(to, flag);
      return { outages: [{ startAt: startedAt + start, endAt: startedAt + end }] };
    }
    default:
      throw new Error(`--fault ${flag}: unknown fault "${key}"`);
  }
}

/**
 * `--fault` values of `bun run pos:sim` → faults per vendor. Forms:
 * `square:errorRate=0.3`, `all:latencyMs=200`, `toast:rateLimit=5x2` (five 429s,
 * Retry-After 2 s), `square:requestLimit=10x20` (10 requests a second per tenant, bursts of 20;
 * 429 above), `local:outage=10000` (the first 10 s) or `local:outage=5000-15000`
 * (ms after start), `square:hangRate=0.1`, `toast:failAfterCommitRate=0.2`.
 */
export function parseFaultFlags(
  flags: readonly string[],
  startedAt = Date.now(),
): Partial<Record<PosType, VendorFaults>> {
  const faults: Partial<Record<PosType, VendorFaults>> = {};
  for (const flag of flags) {
    const [target = "", spec = ""] = flag.split(":", 2);
    const vendors = target === "all" ? VENDORS : VENDORS.filter((v) => v === target);
    if (vendors.length === 0) throw new Error(`--fault ${flag}: vendor is square, toast, local or all`);
    const parsed = parseOne(spec, flag, startedAt);
    for (const vendor of vendors) {
      const current = faults[vendor] ?? {};
      const merged: VendorFaults = { ...current, ...parsed };
      const outages = [...(current.outages ?? []), ...(parsed.outages ?? [])];
      if (outages.length > 0) merged.outages = outages;
      faults[vendor] = merged;
    }
  }
  return faults;
}
