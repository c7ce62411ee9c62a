import { type Action, authorize, scopeFor } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { forbidden } from "../../kernel/app-error";

/**
 * Whose jobs a monitoring request may see or touch: every job (admins) or the jobs whose partition
 * is one of these restaurant ids. Jobs carry the restaurant id as their partition key.
 */
export type MonitoringScope = { kind: "all" } | { kind: "restaurants"; restaurantIds: number[] };

/**
 * The scope of a request: the restaurants where the principal may perform the action, narrowed to
 * one restaurant when the request names it (404 when they have no role there, 403 when too low).
 * A principal who may do it nowhere gets a 403.
 */
export function monitoringScope(principal: Principal, action: Action, restaurantId?: number): MonitoringScope {
  if (restaurantId !== undefined) {
    authorize(principal, action, restaurantId);
    return { kind: "restaurants", restaurantIds: [restaurantId] };
  }
  const scope = scopeFor(principal, action);
  if (scope === "all") return { kind: "all" };
  if (scope.length === 0) throw forbidden();
  return { kind: "restaurants", restaurantIds: scope };
}

/** The scope as a partition filter for the queue library (undefined: no filter). */
export function scopePartitions(scope: MonitoringScope): string[] | undefined {
  return scope.kind === "all" ? undefined : scope.restaurantIds.map(String);
}

/** Partition keys of the app's jobs are restaurant ids; anything else belongs to no restaurant. */
export function restaurantIdOf(partition: string | null | undefined): number | null {
  return partition != null && /^\d{1,9}$/.test(partition) ? Number(partition) : null;
}

export function inScope(scope: MonitoringScope, partition: string | null | undefined): boolean {
  if (scope.kind === "all") return true;
  const id = restaurantIdOf(partition);
  return id !== null && scope.restaurantIds.includes(id);
}
