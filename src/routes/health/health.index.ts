import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../http/create-router";
import { jsonContent, publicSecurity } from "../../http/schemas";

const tags = ["Health"];
const checkSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const readySchema = z
  .object({ status: z.enum(["ready", "unavailable"]), checks: z.object({ database: checkSchema, redis: checkSchema }) })
  .openapi("Readiness");

const healthz = createRoute({
  operationId: "getHealth",
  security: publicSecurity,
  method: "get",
  path: "/healthz",
  tags,
  summary: "Liveness: the process answers",
  responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "Alive") },
});

const readyz = createRoute({
  operationId: "getReadiness",
  security: publicSecurity,
  method: "get",
  path: "/readyz",
  tags,
  summary: "Readiness: the database and Redis answer",
  responses: { 200: jsonContent(readySchema, "Ready"), 503: jsonContent(readySchema, "A dependency is down") },
});

/** Each dependency gets this long to answer, so a hung one (a stopped Redis) still yields a 503 within 2 s. */
export const READY_CHECK_TIMEOUT_MS = 1_000;

async function check(run: () => Promise<unknown>) {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`)),
      READY_CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([run(), timeout]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRouter = createRouter()
  .openapi(healthz, (c) => c.json({ status: "ok" as const }, 200))
  .openapi(readyz, async (c) => {
    const { readiness } = c.var.services;
    const [database, redisCheck] = await Promise.all([check(readiness.database), check(readiness.redis)]);
    const ok = database.ok && redisCheck.ok;
    const body = {
      status: ok ? ("ready" as const) : ("unavailable" as const),
      checks: { database, redis: redisCheck },
    };
    return ok ? c.json(body, 200) : c.json(body, 503);
  });
