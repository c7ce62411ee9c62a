import { forbidden, notFound, unprocessable } from "../kernel/app-error";
import { type MemberRole, type Principal, roleIn } from "./principal";

/**
 * Who may do what to a restaurant's resources. Admins may do everything.
 * A user with no role in the restaurant gets a 404 (we don't reveal that the
 * resource exists); a role that is too low gets a 403.
 */
export const policy = {
  "config:view": ["owner", "manager", "staff"],
  "config:update": ["owner"],
  "orders:view": ["owner", "manager", "staff"],
  "orders:pay": ["owner", "manager", "staff"],
  /** A cash or card-present (`external`) payment taken in person: the restaurant's people only. */
  "payments:record-in-person": ["owner", "manager", "staff"],
  "orders:cancel": ["owner", "manager", "staff"],
  "loyalty:manage": ["owner"],
  "menu:availability": ["owner", "manager", "staff"],
  "analytics:view": ["owner", "manager"],
  "cache:manage": ["owner"],
  "queue:view": ["owner", "manager"],
  "queue:manage": ["owner"],
  "pos:sync": ["owner", "manager"],
  "batches:view": ["owner", "manager"],
  "batches:manage": ["owner"],
} as const satisfies Record<string, readonly MemberRole[]>;

export type Action = keyof typeof policy;
export type Decision = "allow" | "forbidden" | "hidden";

export function decide(principal: Principal, action: Action, restaurantId: number): Decision {
  if (principal.isAdmin) return "allow";
  const role = roleIn(principal, restaurantId);
  if (!role) return "hidden";
  return (policy[action] as readonly MemberRole[]).includes(role) ? "allow" : "forbidden";
}

/** Throws the right AppError unless the principal may perform the action. */
export function authorize(principal: Principal, action: Action, restaurantId: number, what = "restaurant"): void {
  const decision = decide(principal, action, restaurantId);
  if (decision === "hidden") throw notFound(what);
  if (decision === "forbidden") throw forbidden();
}

/** Restaurants whose data for an action the principal may see; `"all"` for admins. */
export function scopeFor(principal: Principal, action: Action): "all" | number[] {
  if (principal.isAdmin) return "all";
  const roles = policy[action] as readonly MemberRole[];
  return principal.memberships.filter((m) => roles.includes(m.role)).map((m) => m.restaurantId);
}

/** Actions on the whole platform rather than one restaurant: admins only, whatever the memberships. */
export const platformPolicy = {
  "queue:pause": "pausing or resuming a queue affects every restaurant; only admins may do it",
  "batches:platform": "a batch over every restaurant affects the whole platform; only admins may run or see it",
} as const;

export type PlatformAction = keyof typeof platformPolicy;

/** Throws a 403 unless the principal is an admin. */
export function authorizePlatform(principal: Principal, action: PlatformAction): void {
  if (!principal.isAdmin) throw forbidden(platformPolicy[action]);
}

/**
 * An order: the customer who placed it may view and pay it; anyone else needs the action's role
 * in its restaurant. Otherwise it does not exist for them (404), whatever the reason.
 */
export function authorizeOrder(
  principal: Principal,
  action: "orders:view" | "orders:pay",
  order: { restaurantId: number; customerUserId: number | null },
): void {
  if (order.customerUserId === principal.userId) return;
  if (decide(principal, action, order.restaurantId) !== "allow") throw notFound("order");
}

/**
 * A cash or card-present payment is money the restaurant's people took in person; a customer (even
 * the order's own) may only pay by card through the payment provider. A 403, as the customer may see the order.
 */
export function authorizeInPersonPayment(principal: Principal, restaurantId: number): void {
  if (decide(principal, "payments:record-in-person", restaurantId) !== "allow") {
    throw forbidden("only the restaurant's staff may record a cash or external payment; pay by card with a sourceId");
  }
}

/**
 * Cancelling an order: its customer may while the restaurant has not accepted it (`pending`);
 * the restaurant's staff and up may until it is completed. A cancelled order may be "cancelled"
 * again (the request is idempotent). Anyone else gets a 404, as for viewing it.
 */
export function authorizeCancel(
  principal: Principal,
  order: { restaurantId: number; customerUserId: number | null; status: string },
): void {
  const isStaff = decide(principal, "orders:cancel", order.restaurantId) === "allow";
  if (!isStaff && order.customerUserId !== principal.userId) throw notFound("order");
  if (order.status === "cancelled") return;
  if (isStaff && order.status === "completed") {
    throw unprocessable("order_not_cancellable", "a completed order cannot be cancelled");
  }
  if (!isStaff && order.status !== "pending") {
    throw unprocessable(
      "order_not_cancellable",
      "the restaurant has accepted this order; only the restaurant can cancel it now",
    );
  }
}
