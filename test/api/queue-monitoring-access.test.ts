import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { type MonitoringWorld, monitoringWorld } from "../support/monitoring-world";

/**
 * Every monitoring route × every kind of caller × a job or filter of their own restaurant (1) or
 * of another one (2). owner2 owns restaurant 2, so for them "own" is 2 and "other" is 1.
 */
type Caller = "admin" | "owner" | "manager" | "staff" | "owner2" | "customer" | "anonymous";
type Target = "own" | "other";

const emails: Record<Exclude<Caller, "anonymous">, string> = {
  admin: "admin@demo.test",
  owner: "owner@demo.test",
  manager: "manager@demo.test",
  staff: "staff@demo.test",
  owner2: "owner2@demo.test",
  customer: "customer@demo.test",
};
const callers = Object.keys(emails).concat("anonymous") as Caller[];

function restaurantOf(caller: Caller, target: Target): number {
  const own = caller === "owner2" ? 2 : 1;
  return target === "own" ? own : 3 - own;
}

/** Expected status per caller and target, spelled out so a change in the rules shows up here. */
type Expectation = Record<Caller, Record<Target, number>>;
const row = (own: number, other: number) => ({ own, other });
// Reading with no restaurant named: the scope decides, nobody gets a 404.
const viewUnscoped: Expectation = {
  admin: row(200, 200),
  owner: row(200, 200),
  manager: row(200, 200),
  staff: row(403, 403),
  owner2: row(200, 200),
  customer: row(403, 403),
  anonymous: row(401, 401),
};
// Reading one restaurant's jobs (filter or path): no role there is a 404, a role too low a 403.
const viewRestaurant: Expectation = {
  admin: row(200, 200),
  owner: row(200, 404),
  manager: row(200, 404),
  staff: row(403, 404),
  owner2: row(200, 404),
  customer: row(404, 404),
  anonymous: row(401, 401),
};
// One job by id: callers who may view nothing get a 403 before any lookup.
const viewJob: Expectation = { ...viewRestaurant, staff: row(403, 403), customer: row(403, 403) };
// Managing: owners and admins; managers and staff are too low on their own restaurant.
const manage: Expectation = {
  admin: row(200, 200),
  owner: row(200, 404),
  manager: row(403, 404),
  staff: row(403, 404),
  owner2: row(200, 404),
  customer: row(404, 404),
  anonymous: row(401, 401),
};
// Pausing stops a queue for every restaurant: admins only.
const adminOnly: Expectation = {
  admin: row(200, 200),
  owner: row(403, 403),
  manager: row(403, 403),
  staff: row(403, 403),
  owner2: row(403, 403),
  customer: row(403, 403),
  anonymous: row(401, 401),
};

type Case = {
  name: string;
  expect: Expectation;
  /** Builds the request for a restaurant; may create the job it acts on. */
  request(restaurantId: number): Promise<{ method: string; path: string; body?: unknown; jobId?: string }>;
  /** For managing routes: what must hold afterwards, allowed or not. */
  after?(jobId: string, allowed: boolean): Promise<void>;
};

let t: TestApp;
let world: MonitoringWorld;
const tokens = new Map<Caller, string | undefined>();
const waitingJob = new Map<number, string>();

beforeAll(async () => {
  t = await createTestApp();
  world = await monitoringWorld(t);
  for (const [caller, email] of Object.entries(emails)) tokens.set(caller as Caller, await t.tokenFor(email));
  for (const restaurantId of [1, 2]) {
    waitingJob.set(restaurantId, await world.waitingJob(restaurantId, 100 + restaurantId));
    await world.failedJob(restaurantId);
  }
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await t?.close();
});

const stillFailed = async (jobId: string) => (await world.store.get(jobId)) !== null;

const cases: Case[] = [
  { name: "overview", expect: viewUnscoped, request: async () => ({ method: "GET", path: "/v1/admin/queues" }) },
  {
    name: "metrics",
    expect: viewUnscoped,
    request: async () => ({ method: "GET", path: "/v1/admin/queues/metrics?range=hour" }),
  },
  {
    name: "jobs by state",
    expect: viewRestaurant,
    request: async (r) => ({ method: "GET", path: `/v1/admin/queues/jobs?state=waiting&restaurantId=${r}` }),
  },
  {
    name: "job detail",
    expect: viewJob,
    request: async (r) => ({ method: "GET", path: `/v1/admin/queues/jobs/${waitingJob.get(r)}` }),
  },
  {
    name: "pending entries",
    expect: viewRestaurant,
    request: async (r) => ({ method: "GET", path: `/v1/admin/queues/pending?restaurantId=${r}` }),
  },
  { name: "workers", expect: viewUnscoped, request: async () => ({ method: "GET", path: "/v1/admin/queues/workers" }) },
  {
    name: "failed list",
    expect: viewRestaurant,
    request: async (r) => ({ method: "GET", path: `/v1/admin/queues/failed?restaurantId=${r}` }),
  },
  {
    name: "retry one",
    expect: manage,
    async request(r) {
      const jobId = await world.failedJob(r);
      return { method: "POST", path: `/v1/admin/queues/failed/${jobId}/retry`, jobId };
    },
    async after(jobId, allowed) {
      expect(await stillFailed(jobId)).toBe(!allowed);
    },
  },
  {
    name: "delete one",
    expect: manage,
    async request(r) {
      const jobId = await world.failedJob(r);
      return { method: "DELETE", path: `/v1/admin/queues/failed/${jobId}`, jobId };
    },
    async after(jobId, allowed) {
      expect(await stillFailed(jobId)).toBe(!allowed);
    },
  },
  {
    name: "retry filtered",
    expect: manage,
    async request(r) {
      const jobId = await world.failedJob(r);
      return { method: "POST", path: "/v1/admin/queues/failed/retry", body: { restaurantId: r }, jobId };
    },
    async after(jobId, allowed) {
      expect(await stillFailed(jobId)).toBe(!allowed);
    },
  },
  {
    name: "clear",
    expect: manage,
    async request(r) {
      const jobId = await world.failedJob(r);
      return { method: "DELETE", path: `/v1/admin/queues/failed?restaurantId=${r}`, jobId };
    },
    async after(jobId, allowed) {
      expect(await stillFailed(jobId)).toBe(!allowed);
    },
  },
  {
    name: "pause",
    expect: adminOnly,
    request: async () => ({ method: "POST", path: "/v1/admin/queues/default/pause" }),
  },
  {
    name: "resume",
    expect: adminOnly,
    request: async () => ({ method: "POST", path: "/v1/admin/queues/default/resume" }),
  },
  {
    name: "POS connections",
    expect: viewRestaurant,
    request: async (r) => ({ method: "GET", path: `/v1/admin/queues/restaurants/${r}/pos-connections` }),
  },
];

describe("queue monitoring access: role × own/other restaurant × route", () => {
  for (const c of cases) {
    for (const caller of callers) {
      for (const target of ["own", "other"] as const) {
        const status = c.expect[caller][target];
        it(`${c.name}: ${caller} on ${target} restaurant → ${status}`, async () => {
          const req = await c.request(restaurantOf(caller, target));
          const res = await t.call(req.method, req.path, { token: tokens.get(caller), body: req.body });
          expect(res.status).toBe(status);
          if (status !== 200) expect(typeof res.body.error.code).toBe("string");
          if (c.after && req.jobId) await c.after(req.jobId, status === 200);
        });
      }
    }
  }
});

// Error stacks show code paths: only admins get them, on the job detail and the failed list alike.
const seesStacks: Record<Caller, boolean | number> = {
  admin: true,
  owner: false,
  manager: false,
  staff: 403,
  owner2: false,
  customer: 403,
  anonymous: 401,
};

describe("queue monitoring access: who sees error stacks", () => {
  for (const caller of callers) {
    const expected = seesStacks[caller];
    it(`${caller} on own restaurant → ${typeof expected === "number" ? expected : expected ? "stacks" : "no stacks"}`, async () => {
      const restaurantId = restaurantOf(caller, "own");
      const jobId = await world.failedJob(restaurantId);
      const token = tokens.get(caller);
      const detail = await t.call("GET", `/v1/admin/queues/jobs/${jobId}`, { token });
      const list = await t.call("GET", `/v1/admin/queues/failed?restaurantId=${restaurantId}`, { token });
      if (typeof expected === "number") {
        // A customer has no role in the restaurant the list names: that is a 404 (see viewRestaurant).
        expect([detail.status, list.status]).toEqual([expected, caller === "customer" ? 404 : expected]);
        return;
      }
      expect([detail.status, list.status]).toEqual([200, 200]);
      const stacks = [
        detail.body.failure.stack,
        detail.body.errors[0].stack,
        ...list.body.jobs.map((j: { stack: string | null }) => j.stack),
      ];
      for (const stack of stacks) {
        if (expected) expect(stack).toContain("NonRetryableError");
        else expect(stack).toBeNull();
      }
    });
  }
});
