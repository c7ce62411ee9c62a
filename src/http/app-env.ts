import type { Database } from "../../db/client";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { RedisConnection } from "../redis/types";
import type { AppServices } from "../services/app-services";

/** What the app is built from; the server, the edge entry and the tests each assemble one. */
export type AppDeps = {
  config: Config;
  db: Database;
  redis: RedisConnection;
  logger: Logger;
};

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    services: AppServices;
    requestId: string;
    principal: Principal;
  };
};
