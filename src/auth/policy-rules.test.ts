import { describe, expect, it } from "bun:test";
import { AppError } from "../kernel/app-error";
import { authorizeCancel, authorizeOrder, authorizePlatform } from "./policy";
import type { Principal } from "./principal";

const user = (overrides: Partial<Principal>): Principal => ({
  userId: 7,
  email: "u@example.test",
  name: "U",
  isAdmin: false,
  memberships: [],
  ...overrides,
});

function statusOf(run: () => void): number | "allowed" {
  try {
    run();
    return "allowed";
  } catch (error) {
    if (error instanceof AppError) return error.status;
    throw error;
  }
}

describe("platform actions", () => {
  it("let admins pause queues and refuse every other role with a 403", () => {
    expect(statusOf(() => authorizePlatform(user({ isAdmin: true }), "queue:pause"))).toBe("allowed");
    for (const role of ["owner", "manager", "staff"] as const) {
      const member = user({ memberships: [{ restaurantId: 1, role }] });
      expect(statusOf(() => authorizePlatform(member, "queue:pause"))).toBe(403);
    }
  });
});

describe("orders", () => {
  const order = { restaurantId: 1, customerUserId: 7 };
  it("belong to the customer who placed them, with no role anywhere", () => {
    expect(statusOf(() => authorizeOrder(user({}), "orders:view", order))).toBe("allowed");
    expect(statusOf(() => authorizeOrder(user({}), "orders:pay", order))).toBe("allowed");
  });

  it("are the restaurant's staff's too, and do not exist for anyone else", () => {
    const staff = user({ userId: 8, memberships: [{ restaurantId: 1, role: "staff" }] });
    const elsewhere = user({ userId: 9, memberships: [{ restaurantId: 2, role: "owner" }] });
    expect(statusOf(() => authorizeOrder(staff, "orders:view", order))).toBe("allowed");
    expect(statusOf(() => authorizeOrder(elsewhere, "orders:view", order))).toBe(404);
    expect(statusOf(() => authorizeOrder(user({ userId: 10 }), "orders:pay", order))).toBe(404);
    expect(
      statusOf(() => authorizeOrder(user({ userId: 10 }), "orders:view", { ...order, customerUserId: null })),
    ).toBe(404);
  });
});

describe("cancelling an order", () => {
  const order = (status: string) => ({ restaurantId: 1, customerUserId: 7, status });
  const customer = user({});
  const staff = user({ userId: 8, memberships: [{ restaurantId: 1, role: "staff" }] });
  const stranger = user({ userId: 9, memberships: [{ restaurantId: 2, role: "owner" }] });

  it("lets the customer cancel only before the restaurant accepts the order", () => {
    expect(statusOf(() => authorizeCancel(customer, order("pending")))).toBe("allowed");
    for (const status of ["accepted", "preparing", "ready", "completed"]) {
      expect(statusOf(() => authorizeCancel(customer, order(status)))).toBe(422);
    }
  });

  it("lets staff and up cancel until the order is completed", () => {
    for (const status of ["pending", "accepted", "preparing", "ready", "out_for_delivery"]) {
      expect(statusOf(() => authorizeCancel(staff, order(status)))).toBe("allowed");
    }
    expect(statusOf(() => authorizeCancel(staff, order("completed")))).toBe(422);
    expect(statusOf(() => authorizeCancel(user({ isAdmin: true, userId: 1 }), order("ready")))).toBe("allowed");
  });

  it("answers a repeated cancellation without complaint, and hides the order from everyone else", () => {
    expect(statusOf(() => authorizeCancel(customer, order("cancelled")))).toBe("allowed");
    expect(statusOf(() => authorizeCancel(stranger, order("pending")))).toBe(404);
  });
});
