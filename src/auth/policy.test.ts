import { describe, expect, it } from "bun:test";
import { type Action, decide, policy, scopeFor } from "./policy";
import type { MemberRole, Principal } from "./principal";

const OWN = 1;
const OTHER = 2;

function principal(role: MemberRole | "admin" | "none"): Principal {
  return {
    userId: 7,
    email: "u@example.test",
    name: "U",
    isAdmin: role === "admin",
    memberships: role === "admin" || role === "none" ? [] : [{ restaurantId: OWN, role }],
  };
}

// Every action × role × own/other restaurant, spelled out so a change to the policy shows up here.
const expected: Record<Action, Record<MemberRole | "admin" | "none", "allow" | "forbidden">> = {
  "config:view": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "config:update": { admin: "allow", owner: "allow", manager: "forbidden", staff: "forbidden", none: "forbidden" },
  "orders:view": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "orders:pay": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "payments:record-in-person": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "orders:cancel": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "loyalty:manage": { admin: "allow", owner: "allow", manager: "forbidden", staff: "forbidden", none: "forbidden" },
  "menu:availability": { admin: "allow", owner: "allow", manager: "allow", staff: "allow", none: "forbidden" },
  "analytics:view": { admin: "allow", owner: "allow", manager: "allow", staff: "forbidden", none: "forbidden" },
  "cache:manage": { admin: "allow", owner: "allow", manager: "forbidden", staff: "forbidden", none: "forbidden" },
  "queue:view": { admin: "allow", owner: "allow", manager: "allow", staff: "forbidden", none: "forbidden" },
  "queue:manage": { admin: "allow", owner: "allow", manager: "forbidden", staff: "forbidden", none: "forbidden" },
  "pos:sync": { admin: "allow", owner: "allow", manager: "allow", staff: "forbidden", none: "forbidden" },
  "batches:view": { admin: "allow", owner: "allow", manager: "allow", staff: "forbidden", none: "forbidden" },
  "batches:manage": { admin: "allow", owner: "allow", manager: "forbidden", staff: "forbidden", none: "forbidden" },
};

describe("policy", () => {
  it("covers every action in the table", () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(policy).sort());
  });

  for (const [action, byRole] of Object.entries(expected) as Array<[Action, (typeof expected)[Action]]>) {
    for (const [role, outcome] of Object.entries(byRole) as Array<[MemberRole | "admin" | "none", string]>) {
      it(`${role} on their own restaurant: ${action} → ${outcome}`, () => {
        const decision = decide(principal(role), action, OWN);
        // A user with no role there is not told the restaurant exists.
        expect(decision).toBe(role === "none" ? "hidden" : (outcome as "allow" | "forbidden"));
      });
      it(`${role} on another restaurant: ${action} → ${role === "admin" ? "allow" : "hidden"}`, () => {
        expect(decide(principal(role), action, OTHER)).toBe(role === "admin" ? "allow" : "hidden");
      });
    }
  }

  it("scopes listings to the restaurants where the role suffices", () => {
    const p: Principal = {
      ...principal("none"),
      memberships: [
        { restaurantId: 1, role: "owner" },
        { restaurantId: 2, role: "manager" },
        { restaurantId: 3, role: "staff" },
      ],
    };
    expect(scopeFor(p, "queue:view")).toEqual([1, 2]);
    expect(scopeFor(p, "queue:manage")).toEqual([1]);
    expect(scopeFor(principal("admin"), "queue:manage")).toBe("all");
  });
});
