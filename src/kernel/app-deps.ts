import type { Database } from "../../db/client";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { RedisConnection } from "../redis/types";

/** What the app is built from; the server, the edge entry and the tests each assemble one. */
export type AppDeps = {
  config: Config;
  db: Database;
  redis: RedisConnection;
  logger: Logger;
};
