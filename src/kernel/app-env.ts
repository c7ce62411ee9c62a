import type { Principal } from "../auth/principal";
import type { AppServices } from "../services/app-services";
import type { AppDeps } from "./app-deps";

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    services: AppServices;
    requestId: string;
    principal: Principal;
  };
};
