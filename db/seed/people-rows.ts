import type { customers, restaurantMembers, users } from "../schema";
import { DEMO_CUSTOMER_ID, DEMO_RESTAURANTS, DEMO_USER_IDS, DEMO_USERS, type DemoUserKey } from "./demo-identities";
import { FIRST_NAMES, LAST_NAMES } from "./people";
import type { SeededRandom } from "./random";

const DAY_MS = 86_400_000;
export const CUSTOMER_COUNT = 500;

const DEMO_USER_NAMES: Record<DemoUserKey, string> = {
  admin: "Ada Admin",
  owner: "Oscar Owner",
  manager: "Maya Manager",
  staff: "Sam Staff",
  owner2: "Olga Owner",
  customer: "Casey Customer",
};

export type People = {
  users: (typeof users.$inferInsert)[];
  members: (typeof restaurantMembers.$inferInsert)[];
  /** In id order, which is also sign-up order, so orders can pick "customers who exist by then". */
  customers: (typeof customers.$inferInsert & { id: number; createdAt: Date })[];
};

/**
 * The demo users and their memberships, and the customer base. About 40% of customers signed up
 * before the order history starts, the rest during it, so "new vs returning" analytics see both.
 */
export function buildPeople(now: Date, historyStart: Date, rng: SeededRandom): People {
  const since = new Date(now.getTime() - 400 * DAY_MS);
  const userRows = (Object.keys(DEMO_USERS) as DemoUserKey[]).map((key) => ({
    id: DEMO_USER_IDS[key],
    email: DEMO_USERS[key],
    name: DEMO_USER_NAMES[key],
    isAdmin: key === "admin",
    createdAt: since,
  }));
  const member = (restaurantId: number, key: DemoUserKey, role: "owner" | "manager" | "staff") => ({
    restaurantId,
    userId: DEMO_USER_IDS[key],
    role,
    createdAt: since,
  });
  const members = [
    member(DEMO_RESTAURANTS.first.id, "owner", "owner"),
    member(DEMO_RESTAURANTS.first.id, "manager", "manager"),
    member(DEMO_RESTAURANTS.first.id, "staff", "staff"),
    member(DEMO_RESTAURANTS.second.id, "owner2", "owner"),
  ];

  const historyMs = now.getTime() - historyStart.getTime();
  const signUps = Array.from({ length: CUSTOMER_COUNT - 1 }, (_, n) => {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const joinedMs = rng.chance(0.4)
      ? historyStart.getTime() - rng.int(1, 270) * DAY_MS
      : historyStart.getTime() + Math.floor(rng.next() * (historyMs - 2 * DAY_MS));
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.${n + 2}@example.test`.toLowerCase(),
      phone: rng.chance(0.8) ? `+1555${String(rng.int(0, 9_999_999)).padStart(7, "0")}` : null,
      createdAt: new Date(joinedMs - (joinedMs % 1000)),
    };
  });
  signUps.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const customerRows = [
    {
      id: DEMO_CUSTOMER_ID,
      userId: DEMO_USER_IDS.customer,
      name: DEMO_USER_NAMES.customer,
      email: DEMO_USERS.customer,
      phone: "+15550000001",
      createdAt: since,
    },
    ...signUps.map((row, index) => ({ id: index + 2, userId: null, ...row })),
  ];
  return { users: userRows, members, customers: customerRows };
}
