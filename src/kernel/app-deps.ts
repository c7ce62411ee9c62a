import type { Database } from "../../db/client";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { PosCallMetrics } from "../pos/pos-call-metrics";
import type { RedisConnection } from "../redis/types";
import type { HttpRequestMetrics } from "../services/monitoring/http-request-metrics";

/** What the app is built from; the server, the edge entry and the tests each assemble one. */
export type AppDeps = {
  config: Config;
  db: Database;
  redis: RedisConnection;
  logger: Logger;
  /**
   * Request timings outliving one app: on Workers the app is built per request (no I/O objects
   * may be shared between requests), while its isolate keeps these plain counters.
   */
  httpMetrics?: HttpRequestMetrics;
  /** POS calls made in this process (default: the process's own counters). */
  posCalls?: PosCallMetrics;
  /**
   * The app serves one request and is dropped (Workers): what is kept in process only pays off
   * across requests, so the principal cache is skipped rather than paying its Redis look per
   * request.
   */
  perRequest?: boolean;
};
