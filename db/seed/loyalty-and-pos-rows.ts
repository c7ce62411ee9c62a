import type { loyaltyPrograms, loyaltyRules, posConnections } from "../schema";
import { DEMO_RESTAURANTS } from "./demo-identities";

const DAY_MS = 86_400_000;
export const DEFAULT_POS_BASE_URL = "http://127.0.0.1:4010";

type ProgramRows = {
  programs: (typeof loyaltyPrograms.$inferInsert)[];
  rules: (typeof loyaltyRules.$inferInsert)[];
};

/** One program per active restaurant with a rule of every type, plus one switched-off rule. */
export function buildLoyalty(now: Date): ProgramRows {
  const createdAt = new Date(now.getTime() - 200 * DAY_MS);
  const restaurantIds = [DEMO_RESTAURANTS.first.id, DEMO_RESTAURANTS.second.id, DEMO_RESTAURANTS.third.id];
  const rows: ProgramRows = { programs: [], rules: [] };
  for (const restaurantId of restaurantIds) {
    const programId = rows.programs.length + 1;
    rows.programs.push({ id: programId, restaurantId, name: "Rewards Club", active: true, createdAt });
    const rule = (spec: Omit<typeof loyaltyRules.$inferInsert, "id" | "programId" | "restaurantId">) =>
      rows.rules.push({ id: rows.rules.length + 1, programId, restaurantId, createdAt, ...spec });
    rule({ name: "1 point per dollar", ruleType: "points_per_amount", points: 1 });
    rule({ name: "Visit bonus", ruleType: "visit_bonus", points: 10, minOrderCents: 1500 });
    rule({
      name: "Free drink",
      ruleType: "reward",
      points: 100,
      rewardDescription: "Any drink on the menu",
      rewardValueCents: 400,
    });
    rule({
      name: "Free main",
      ruleType: "reward",
      points: 250,
      rewardDescription: "Any main course",
      rewardValueCents: 1500,
    });
    rule({ name: "Double points launch week", ruleType: "points_per_amount", points: 2, active: false });
  }
  return rows;
}

/** One connection of each POS type: Square for the first restaurant, Toast the second, local the third. */
export function buildPosConnections(now: Date, posBaseUrl: string): (typeof posConnections.$inferInsert)[] {
  const createdAt = new Date(now.getTime() - 180 * DAY_MS);
  const lastSyncedAt = new Date(now.getTime() - 5 * 60_000);
  const base = posBaseUrl.replace(/\/+$/, "");
  return [
    {
      id: 1,
      restaurantId: DEMO_RESTAURANTS.first.id,
      posType: "square",
      baseUrl: `${base}/square`,
      locationRef: "LDEMO1HARBOR",
      credentials: { accessToken: "sq-demo-access-token" },
      webhookSecret: "whsec-demo-square",
      createdAt,
      lastSyncedAt,
    },
    {
      id: 2,
      restaurantId: DEMO_RESTAURANTS.second.id,
      posType: "toast",
      baseUrl: `${base}/toast`,
      locationRef: "5f2c1d9e-7a41-4b3c-9e0d-2b8a6c4f1e07",
      credentials: { clientId: "toast-demo-client", clientSecret: "toast-demo-secret" },
      webhookSecret: "whsec-demo-toast",
      createdAt,
      lastSyncedAt,
    },
    {
      id: 3,
      restaurantId: DEMO_RESTAURANTS.third.id,
      posType: "local",
      baseUrl: `${base}/local`,
      locationRef: "store-3",
      credentials: { accessToken: "local-demo-access-token" },
      webhookSecret: "whsec-demo-local",
      createdAt,
      lastSyncedAt,
    },
  ];
}
