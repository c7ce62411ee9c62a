import { Hono } from "hono";
import { z } from "zod";
import type { PosType } from "../types";
import type { PosSimulatorControl } from "./control";

const vendorSchema = z.enum(["square", "toast", "local"]);
const rate = z.number().min(0).max(1);

export const vendorFaultsSchema = z.object({
  latencyMs: z.number().int().min(0).optional(),
  errorRate: rate.optional(),
  failAfterCommitRate: rate.optional(),
  rateLimit: z.object({ remaining: z.number().int().min(0), retryAfterSeconds: z.number().min(0) }).optional(),
  outages: z.array(z.object({ startAt: z.number(), endAt: z.number() })).optional(),
  hangRate: rate.optional(),
  requestLimit: z.object({ perSecond: z.number().positive(), burst: z.number().min(1) }).optional(),
});

const setFaultsRequest = vendorFaultsSchema.extend({
  vendor: z.union([vendorSchema, z.literal("all")]),
  /** Convenience: an outage starting now. */
  outageMs: z.number().int().positive().optional(),
});

const statusRequest = z.object({
  status: z.enum(["pending", "accepted", "preparing", "ready", "out_for_delivery", "completed", "cancelled"]),
});

const seedRequest = z.object({
  catalog: z
    .object({
      categories: z.array(z.object({ posExternalId: z.string(), name: z.string(), position: z.number().int() })),
      items: z.array(
        z.object({
          posExternalId: z.string(),
          categoryPosExternalId: z.string(),
          name: z.string(),
          description: z.string(),
          priceCents: z.number().int(),
          available: z.boolean(),
        }),
      ),
    })
    .optional(),
  inventory: z.array(z.object({ posItemId: z.string(), quantity: z.number().int() })).optional(),
});

const webhookRequest = z.object({
  vendor: vendorSchema,
  url: z.url(),
  secret: z.string().min(1),
  notificationUrl: z.url().optional(),
  event: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("order_status"), posOrderId: z.string() }),
    z.object({ kind: z.literal("inventory"), tenant: z.string() }),
  ]),
});

function vendorParam(value: string): PosType | null {
  const parsed = vendorSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The simulator's own HTTP API under /__control, for the dev command and
 * anything outside the test process:
 * GET counts · GET/POST/DELETE faults · GET :vendor/orders|payments|refunds ·
 * POST :vendor/orders/:id/status · PUT :vendor/tenants/:tenant · POST webhooks · POST reset.
 */
export function controlRoutes(control: PosSimulatorControl): Hono {
  const app = new Hono();

  app.get("/counts", (c) => c.json(control.counts()));

  app.get("/faults", (c) =>
    c.json({ square: control.faults("square"), toast: control.faults("toast"), local: control.faults("local") }),
  );

  app.post("/faults", async (c) => {
    const parsed = setFaultsRequest.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: parsed.error.issues }, 400);
    const { vendor, outageMs, ...faults } = parsed.data;
    control.setFaults(vendor, faults);
    if (outageMs !== undefined) {
      for (const v of vendor === "all" ? vendorSchema.options : [vendor]) control.outage(v, outageMs);
    }
    return c.json({ ok: true });
  });

  app.delete("/faults", (c) => {
    const vendor = c.req.query("vendor");
    control.clearFaults(vendor ? (vendorParam(vendor) ?? undefined) : undefined);
    return c.json({ ok: true });
  });

  app.get("/:vendor/orders", (c) => {
    const vendor = vendorParam(c.req.param("vendor"));
    return vendor ? c.json(control.orders(vendor)) : c.json({ error: "unknown vendor" }, 404);
  });

  app.get("/:vendor/payments", (c) => {
    const vendor = vendorParam(c.req.param("vendor"));
    return vendor ? c.json(control.payments(vendor)) : c.json({ error: "unknown vendor" }, 404);
  });

  app.get("/:vendor/refunds", (c) => {
    const vendor = vendorParam(c.req.param("vendor"));
    return vendor ? c.json(control.refunds(vendor)) : c.json({ error: "unknown vendor" }, 404);
  });

  app.post("/:vendor/orders/:id/status", async (c) => {
    const vendor = vendorParam(c.req.param("vendor"));
    const parsed = statusRequest.safeParse(await c.req.json().catch(() => null));
    if (!vendor || !parsed.success) return c.json({ error: "expected a vendor and { status }" }, 400);
    const moved = control.setOrderStatus(vendor, c.req.param("id"), parsed.data.status);
    return moved ? c.json({ ok: true }) : c.json({ error: "order not found" }, 404);
  });

  app.put("/:vendor/tenants/:tenant", async (c) => {
    const vendor = vendorParam(c.req.param("vendor"));
    const parsed = seedRequest.safeParse(await c.req.json().catch(() => null));
    if (!vendor || !parsed.success) return c.json({ error: "expected a vendor and { catalog?, inventory? }" }, 400);
    control.seed({ vendor, tenant: c.req.param("tenant"), ...parsed.data });
    return c.json({ ok: true });
  });

  app.post("/webhooks", async (c) => {
    const parsed = webhookRequest.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: parsed.error.issues }, 400);
    try {
      const sent = await control.sendWebhook(parsed.data);
      return c.json({ status: sent.status });
    } catch (error) {
      return c.json({ error: (error as Error).message }, 502);
    }
  });

  app.post("/reset", (c) => {
    control.reset();
    return c.json({ ok: true });
  });

  return app;
}
