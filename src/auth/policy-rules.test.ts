import { describe, expect, it } from "bun:test";
import { AppError } from "../kernel/app-error";
import { authorizeOrder, authorizePlatform } from "./policy";
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
