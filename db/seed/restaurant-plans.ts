import { DEMO_RESTAURANTS } from "./demo-identities";
import { GREEN_BOWL_MENU, HARBOR_NOODLE_MENU, type Menu, PIZZERIA_SOLE_MENU, TACO_LOCO_MENU } from "./menus";

export type RestaurantPlan = {
  id: number;
  name: string;
  slug: string;
  active: boolean;
  timezone: string;
  /** Offset used to place orders at local lunch and dinner times (DST is ignored on purpose). */
  utcOffsetHours: number;
  taxRateBps: number;
  deliveryFeeCents: number;
  /** Share of orders that are deliveries. */
  deliveryShare: number;
  /** Average orders per day, before the weekday factor. */
  ordersPerDay: number;
  branches: readonly (readonly [name: string, address: string])[];
  menu: Menu;
};

const weekHours = (open: string, close: string, weekendClose: string) => ({
  mon: { open, close },
  tue: { open, close },
  wed: { open, close },
  thu: { open, close },
  fri: { open, close: weekendClose },
  sat: { open, close: weekendClose },
  sun: { open, close },
});

/** The `restaurants.config` document for a plan. */
export function restaurantConfig(plan: RestaurantPlan): Record<string, unknown> {
  return {
    taxRateBps: plan.taxRateBps,
    deliveryFeeCents: plan.deliveryFeeCents,
    minimumOrderCents: 500,
    acceptingOrders: true,
    prepTimeMinutes: 20,
    openingHours: weekHours("10:30", "21:30", "23:00"),
  };
}

export const RESTAURANT_PLANS: readonly RestaurantPlan[] = [
  {
    ...DEMO_RESTAURANTS.first,
    active: true,
    timezone: "America/New_York",
    utcOffsetHours: -5,
    taxRateBps: 875,
    deliveryFeeCents: 399,
    deliveryShare: 0.4,
    ordersPerDay: 48,
    branches: [
      ["Harbor Noodle House – Downtown", "12 Pier Street, New York, NY 10004"],
      ["Harbor Noodle House – Midtown", "455 W 37th Street, New York, NY 10018"],
      ["Harbor Noodle House – Brooklyn", "88 Atlantic Avenue, Brooklyn, NY 11201"],
    ],
    menu: HARBOR_NOODLE_MENU,
  },
  {
    ...DEMO_RESTAURANTS.second,
    active: true,
    timezone: "America/Chicago",
    utcOffsetHours: -6,
    taxRateBps: 825,
    deliveryFeeCents: 299,
    deliveryShare: 0.45,
    ordersPerDay: 40,
    branches: [
      ["Pizzeria Sole – Wicker Park", "1520 N Milwaukee Ave, Chicago, IL 60622"],
      ["Pizzeria Sole – Loop", "200 W Madison St, Chicago, IL 60606"],
    ],
    menu: PIZZERIA_SOLE_MENU,
  },
  {
    ...DEMO_RESTAURANTS.third,
    active: true,
    timezone: "America/Los_Angeles",
    utcOffsetHours: -8,
    taxRateBps: 950,
    deliveryFeeCents: 499,
    deliveryShare: 0.3,
    ordersPerDay: 28,
    branches: [
      ["Green Bowl – Santa Monica", "1401 Ocean Ave, Santa Monica, CA 90401"],
      ["Green Bowl – Silver Lake", "3300 Sunset Blvd, Los Angeles, CA 90026"],
      ["Green Bowl – Pasadena", "45 E Colorado Blvd, Pasadena, CA 91105"],
    ],
    menu: GREEN_BOWL_MENU,
  },
  {
    ...DEMO_RESTAURANTS.inactive,
    active: false,
    timezone: "America/Denver",
    utcOffsetHours: -7,
    taxRateBps: 790,
    deliveryFeeCents: 0,
    deliveryShare: 0,
    ordersPerDay: 0,
    branches: [["Taco Loco Truck – Civic Center", "101 W 14th Ave, Denver, CO 80204"]],
    menu: TACO_LOCO_MENU,
  },
];
