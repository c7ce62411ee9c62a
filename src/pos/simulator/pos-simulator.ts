import { Hono } from "hono";
import type { PosType } from "../types";
import type { SimulatorContext } from "./context";
import { createSimulatorControl, type PosSimulatorControl, type SimulatorSeed } from "./control";
import { controlRoutes } from "./control-routes";
import { FaultInjector, seededRandom, type VendorFaults } from "./faults";
import { localRoutes } from "./local-routes";
import { RequestLimiter } from "./request-limit";
import { squareRoutes } from "./square-routes";
import { SimulatorState } from "./state";
import { toastRoutes } from "./toast-routes";

export type PosSimulatorOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  faults?: Partial<Record<PosType, VendorFaults>>;
  seed?: SimulatorSeed[];
  /** Seed of the fault dice, to replay a run; random by default. */
  randomSeed?: number;
  /** Page size of Square's catalog and inventory lists (100 like Square; tests use less to exercise cursors). */
  pageSize?: number;
  toastTokenTtlSeconds?: number;
};

export type PosSimulator = {
  /** Root URL, e.g. http://127.0.0.1:4010. */
  url: string;
  port: number;
  /** What a `pos_connections.base_url` for this vendor should be. */
  baseUrl(vendor: PosType): string;
  control: PosSimulatorControl;
  /** Closes the server; hanging requests are released first. */
  stop(): Promise<void>;
};

/**
 * One loopback HTTP server speaking the Square, Toast and local contracts
 * under /square, /toast and /local, with in-memory state, vendor-faithful
 * idempotency, fault injection and a control API under /__control.
 *
 * @example
 * const sim = await startPosSimulator({ faults: { square: { errorRate: 0.5 } } });
 * const adapter = createPosAdapter({ connection: { ...row, baseUrl: sim.baseUrl("square") } });
 * // …
 * expect(sim.control.orders("square")).toHaveLength(1);
 * await sim.stop();
 */
export async function startPosSimulator(options: PosSimulatorOptions = {}): Promise<PosSimulator> {
  let release: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const ctx: SimulatorContext = {
    state: new SimulatorState(),
    faults: new FaultInjector(seededRandom(options.randomSeed ?? Date.now()), options.faults),
    limiter: new RequestLimiter(),
    pageSize: options.pageSize ?? 100,
    toastTokenTtlSeconds: options.toastTokenTtlSeconds ?? 86_400,
    stopped,
  };
  const control = createSimulatorControl(ctx);
  for (const entry of options.seed ?? []) control.seed(entry);

  const app = new Hono();
  app.route("/__control", controlRoutes(control));
  app.route("/square", squareRoutes(ctx));
  app.route("/toast", toastRoutes(ctx));
  app.route("/local", localRoutes(ctx));

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    fetch: app.fetch,
    // Hanging requests are the point of some tests; Bun's own idle timeout must not answer them first.
    idleTimeout: 0,
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    port: server.port ?? 0,
    baseUrl: (vendor) => `${url}/${vendor}`,
    control,
    async stop() {
      release();
      await server.stop(true);
    },
  };
}
