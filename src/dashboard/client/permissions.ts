import type { Me } from "./api";

/**
 * What the signed-in user may do, mirroring src/auth/policy.ts so that actions the API would
 * refuse are not offered. The API still decides: a refused action shows its error as the outcome.
 */
export const isAdmin = (me: Me) => me.user.isAdmin;

/** Retry or delete this restaurant's failed jobs: its owners and admins. */
export function canManage(me: Me, restaurantId: number | null): boolean {
  if (me.user.isAdmin) return true;
  return me.memberships.some((m) => m.restaurantId === restaurantId && m.role === "owner");
}

/** Bulk retry or clear under a restaurant filter (or none: every restaurant the user owns). */
export function canManageFilter(me: Me, restaurantId: number | undefined): boolean {
  if (me.user.isAdmin) return true;
  if (restaurantId !== undefined) return canManage(me, restaurantId);
  return me.memberships.some((m) => m.role === "owner");
}
