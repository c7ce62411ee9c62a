import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import type { Principal } from "./principal";

/** Loads a user with their memberships in one query; null when there is no such user. */
export async function loadPrincipal(db: Database, userId: number): Promise<Principal | null> {
  const user = await db.query.users.findFirst({
    columns: { id: true, email: true, name: true, isAdmin: true },
    where: eq(users.id, userId),
    with: { memberships: { columns: { restaurantId: true, role: true } } },
  });
  if (!user) return null;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    memberships: user.memberships,
  };
}
