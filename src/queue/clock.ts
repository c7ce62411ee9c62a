/** Wall-clock time in ms. Injected so tests can move time instead of sleeping through backoffs. */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };
