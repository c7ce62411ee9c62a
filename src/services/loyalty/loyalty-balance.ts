import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { customers } from "../../../db/schema";
import type { Principal } from "../../auth/principal";

/** The signed-in user's loyalty balance: points earned minus points spent on rewards (0 before a first order). */
export async function loyaltyBalance(db: Pick<Database, "query">, principal: Principal): Promise<{ points: number }> {
  const row = await db.query.customers.findFirst({
    columns: { loyaltyPoints: true },
    where: eq(customers.userId, principal.userId),
  });
  return { points: row?.loyaltyPoints ?? 0 };
}
