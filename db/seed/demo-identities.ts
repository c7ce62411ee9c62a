/**
 * The fixed demo world. Tests and docs refer to these instead of repeating literals.
 *
 * `DEFAULT_SEED_NOW` is deliberately a constant, not the wall clock: the seed places 90 days of
 * order history before it, so the data is byte-for-byte identical on every run. Pass `now` to
 * `seedDatabase` for history that ends today.
 */
export const DEFAULT_SEED_NOW = new Date("2026-11-01T12:00:00Z");

export const DEMO_USERS = {
  admin: "admin@demo.test",
  owner: "owner@demo.test",
  manager: "manager@demo.test",
  staff: "staff@demo.test",
  owner2: "owner2@demo.test",
  customer: "customer@demo.test",
} as const;

export type DemoUserKey = keyof typeof DEMO_USERS;

/** Users are inserted with these ids, in this order. */
export const DEMO_USER_IDS: Record<DemoUserKey, number> = {
  admin: 1,
  owner: 2,
  manager: 3,
  staff: 4,
  owner2: 5,
  customer: 6,
};

export const DEMO_RESTAURANTS = {
  first: { id: 1, slug: "harbor-noodle-house", name: "Harbor Noodle House" },
  second: { id: 2, slug: "pizzeria-sole", name: "Pizzeria Sole" },
  third: { id: 3, slug: "green-bowl-kitchen", name: "Green Bowl Kitchen" },
  /** Inactive, with a menu but no orders or POS connection: for testing that listings filter it out. */
  inactive: { id: 4, slug: "taco-loco-truck", name: "Taco Loco Truck" },
} as const;

/** The customer row linked to `customer@demo.test`; it is also the most loyal regular. */
export const DEMO_CUSTOMER_ID = 1;
