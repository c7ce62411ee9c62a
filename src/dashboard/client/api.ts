import type { z } from "@hono/zod-openapi";
import type { failedPageSchema } from "../../routes/failed-jobs/failed-jobs.schemas";
import type {
  jobDetailSchema,
  jobPageSchema,
  metricsSchema,
  overviewSchema,
  pendingSchema,
  workersSchema,
} from "../../routes/queues/queues.schemas";

export type Overview = z.infer<typeof overviewSchema>;
export type Metrics = z.infer<typeof metricsSchema>;
export type FailedPage = z.infer<typeof failedPageSchema>;
export type JobPage = z.infer<typeof jobPageSchema>;
export type JobDetail = z.infer<typeof jobDetailSchema>;
export type Pending = z.infer<typeof pendingSchema>;
export type Workers = z.infer<typeof workersSchema>;
export type Me = {
  user: { id: number; email: string; name: string; isAdmin: boolean };
  memberships: Array<{ restaurantId: number; role: "owner" | "manager" | "staff" }>;
};

const TOKEN_KEY = "foodhub.dashboard.token";

export const tokenStore = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (token: string) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** An API answer other than 2xx, with the error body's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${tokenStore.get() ?? ""}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (answer as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? res.statusText);
  }
  return answer as T;
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const defined = Object.entries(params).filter((p): p is [string, string | number] => p[1] !== undefined);
  return new URLSearchParams(defined.map(([k, v]) => [k, String(v)])).toString();
}

export type Snapshot = { overview: Overview; metrics: Metrics; pending: Pending; workers: Workers };

/** Everything one refresh shows (besides the jobs explorer), fetched in parallel. */
export async function loadSnapshot(range: "hour" | "day"): Promise<Snapshot> {
  const [overview, metrics, pending, workers] = await Promise.all([
    api<Overview>("GET", "/v1/admin/queues"),
    api<Metrics>("GET", `/v1/admin/queues/metrics?range=${range}`),
    api<Pending>("GET", "/v1/admin/queues/pending?limit=20"),
    api<Workers>("GET", "/v1/admin/queues/workers"),
  ]);
  return { overview, metrics, pending, workers };
}
