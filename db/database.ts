import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as relations from "./relations";
import * as tables from "./schema";

/** Tables and relations, for drizzle's relational queries. */
export const schema = { ...tables, ...relations };
export type Schema = typeof schema;
/** The drizzle database the app uses, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
