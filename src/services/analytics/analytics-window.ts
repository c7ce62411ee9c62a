import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";

/** Inclusive range of local calendar days (`YYYY-MM-DD`) in the restaurant's timezone. */
export type DateRange = { from: string; to: string };

/** The range as SQL bounds: `[from 00:00, to + 1 day 00:00)` in the restaurant's timezone. */
export type AnalyticsWindow = DateRange & { timezone: string; start: SQL; end: SQL };

export function analyticsWindow(range: DateRange, timezone: string): AnalyticsWindow {
  return {
    ...range,
    timezone,
    start: sql`((${range.from})::date)::timestamp at time zone ${timezone}`,
    end: sql`((${range.to})::date + 1)::timestamp at time zone ${timezone}`,
  };
}

/** Rows of a raw statement; both drivers (PGlite, Neon) return them under `rows`. */
export async function selectRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
