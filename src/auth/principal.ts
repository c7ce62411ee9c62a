import type { memberRole } from "../../db/schema";

export type MemberRole = (typeof memberRole.enumValues)[number];

/** The signed-in user as the policy sees them: roles come from the database, not the token. */
export type Principal = {
  userId: number;
  email: string;
  name: string;
  isAdmin: boolean;
  memberships: ReadonlyArray<{ restaurantId: number; role: MemberRole }>;
};

export function roleIn(principal: Principal, restaurantId: number): MemberRole | undefined {
  return principal.memberships.find((m) => m.restaurantId === restaurantId)?.role;
}
