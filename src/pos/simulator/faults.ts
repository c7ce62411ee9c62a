import type { PosType } from "../types";
import type { SimulatedRequestLimit } from "./request-limit";

/** Misbehaviour of one simulated vendor. Rates are probabilities per request, 0‥1. */
export type VendorFaults = {
  /** Added to every request before anything else happens. */
  latencyMs?: number;
  /** Answer 500 before doing anything. */
  errorRate?: number;
  /** Do the work, then answer 500: the caller never learns it succeeded (the case idempotency keys exist for). */
  failAfterCommitRate?: number;
  /** The next `remaining` requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit?: { remaining: number; retryAfterSeconds: number };
  /** Windows (epoch ms) during which every request gets 503. */
  outages?: Array<{ startAt: number; endAt: number }>;
  /** Never answer; the request hangs until the client gives up or the simulator stops. */
  hangRate?: number;
  /**
   * The vendor's request limit, per tenant (token bucket): a request over it gets 429 with
   * `Retry-After` (whole seconds, at least 1) and is counted as `throttled`.
   */
  requestLimit?: SimulatedRequestLimit;
};

export type FaultDecision =
  | { kind: "pass"; failAfterCommit: boolean }
  | { kind: "error"; status: 500 }
  | { kind: "outage"; retryAfterSeconds: number }
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "hang" };

/** A small seeded PRNG (mulberry32), so a fault run can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds each vendor's faults and decides, request by request, what goes wrong. */
export class FaultInjector {
  readonly #faults = new Map<PosType, VendorFaults>();
  readonly #random: () => number;
  #injected = new Map<PosType, number>();

  constructor(random: () => number, initial: Partial<Record<PosType, VendorFaults>> = {}) {
    this.#random = random;
    for (const [vendor, faults] of Object.entries(initial) as Array<[PosType, VendorFaults]>) this.set(vendor, faults);
  }

  get(vendor: PosType): VendorFaults {
    return structuredClone(this.#faults.get(vendor) ?? {});
  }

  /** Merges into the vendor's current faults; a field set to undefined is cleared. */
  set(vendor: PosType, faults: VendorFaults): void {
    const merged: VendorFaults = { ...this.#faults.get(vendor), ...faults };
    for (const key of Object.keys(merged) as Array<keyof VendorFaults>) {
      if (merged[key] === undefined) delete merged[key];
    }
    this.#faults.set(vendor, merged);
  }

  clear(vendor?: PosType): void {
    if (vendor) this.#faults.delete(vendor);
    else this.#faults.clear();
  }

  /** How many requests of a vendor were given a fault (latency alone does not count). */
  injected(vendor: PosType): number {
    return this.#injected.get(vendor) ?? 0;
  }

  resetCounts(): void {
    this.#injected = new Map();
  }

  latencyMs(vendor: PosType): number {
    return this.#faults.get(vendor)?.latencyMs ?? 0;
  }

  decide(vendor: PosType, now = Date.now()): FaultDecision {
    const decision = this.#decide(this.#faults.get(vendor) ?? {}, now);
    if (decision.kind !== "pass" || decision.failAfterCommit) {
      this.#injected.set(vendor, this.injected(vendor) + 1);
    }
    return decision;
  }

  #decide(faults: VendorFaults, now: number): FaultDecision {
    const outage = faults.outages?.find((w) => now >= w.startAt && now < w.endAt);
    if (outage) return { kind: "outage", retryAfterSeconds: Math.max(1, Math.ceil((outage.endAt - now) / 1000)) };
    if (faults.rateLimit && faults.rateLimit.remaining > 0) {
      faults.rateLimit.remaining -= 1;
      return { kind: "rate_limited", retryAfterSeconds: faults.rateLimit.retryAfterSeconds };
    }
    if (this.#chance(faults.hangRate)) return { kind: "hang" };
    if (this.#chance(faults.errorRate)) return { kind: "error", status: 500 };
    return { kind: "pass", failAfterCommit: this.#chance(faults.failAfterCommitRate) };
  }

  #chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.#random() < rate;
  }
}
