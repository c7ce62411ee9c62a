import { and, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orders, posConnections } from "../../../db/schema";
import { AppError, unauthorized } from "../../kernel/app-error";
import type { Logger } from "../../logger";
import { posKeys } from "../../pos/pos-keys";
import type { PosType } from "../../pos/types";
import { type PosWebhookEvent, parsePosWebhook, signedSendTime } from "../../pos/webhook-events";
import { verifyPosWebhook } from "../../pos/webhook-signatures";
import type { Queue } from "../../queue/queue";
import type { RedisConnection } from "../../redis/types";
import { InventoryUpdateFromPOS, MenuSyncFromPOS, OrderStatusSyncFromPOS } from "../../sync/pos-job-contracts";

/** How long an event id is remembered, so a vendor's redelivery is acknowledged without acting twice. */
const SEEN_TTL_SECONDS = 24 * 60 * 60;
/** Signature candidates tried when the event does not name its location. */
const MAX_CANDIDATES = 50;

export type WebhookOutcome = { status: "accepted" | "duplicate" | "ignored"; jobId?: string | null; reason?: string };

export type WebhookRequest = { posType: PosType; rawBody: string; headers: Headers; url: string };

type Deps = {
  db: Database;
  redis: RedisConnection;
  prefix: string;
  queue: Queue;
  logger: Logger;
  /** How far a signed send time may lie from now (either way) before the event is refused as a replay. */
  toleranceSeconds: number;
};

function tryParse(posType: PosType, rawBody: string): { event: PosWebhookEvent | null } | { error: Error } {
  try {
    return { event: parsePosWebhook(posType, rawBody) };
  } catch (error) {
    return { error: error as Error };
  }
}

/**
 * Verifies a vendor webhook against the secret of the connection it names
 * and dispatches the job it calls for. A bad signature changes nothing (401);
 * a redelivered event is acknowledged and ignored.
 */
async function handlePosWebhook(deps: Deps, request: WebhookRequest): Promise<WebhookOutcome> {
  const parsed = tryParse(request.posType, request.rawBody);
  const locationRef = "event" in parsed ? (parsed.event?.locationRef ?? null) : null;
  const candidates = await deps.db
    .select({
      connectionId: posConnections.id,
      restaurantId: posConnections.restaurantId,
      secret: posConnections.webhookSecret,
    })
    .from(posConnections)
    .where(
      and(
        eq(posConnections.posType, request.posType),
        eq(posConnections.status, "active"),
        locationRef === null ? undefined : eq(posConnections.locationRef, locationRef),
      ),
    )
    .limit(MAX_CANDIDATES);
  let restaurantId: number | null = null;
  let connectionId = 0;
  for (const candidate of candidates) {
    const valid = await verifyPosWebhook(request.posType, {
      secret: candidate.secret ?? "",
      rawBody: request.rawBody,
      headers: request.headers,
      notificationUrl: request.url,
    });
    if (valid) {
      restaurantId = candidate.restaurantId;
      connectionId = candidate.connectionId;
      break;
    }
  }
  if (restaurantId === null) throw unauthorized("the webhook signature is missing or invalid");
  if ("error" in parsed)
    throw new AppError(400, "invalid_webhook", `the webhook body is malformed: ${parsed.error.message}`);
  // A genuine but old delivery is a replay: refused before anything is remembered or acted on.
  const sentAt = signedSendTime(request.posType, request.rawBody);
  if (sentAt !== null && !(Math.abs(Date.now() - sentAt) <= deps.toleranceSeconds * 1000)) {
    throw new AppError(
      400,
      "stale_webhook",
      `the webhook's signed timestamp is missing or more than ${deps.toleranceSeconds} s from now`,
    );
  }
  const event = parsed.event;
  if (!event) return { status: "ignored", reason: "event type not used" };

  const seenKey = posKeys(deps.prefix).webhookSeen(connectionId, event.eventId);
  const first = await deps.redis.send("SET", [seenKey, "1", "NX", "EX", SEEN_TTL_SECONDS]);
  if (first === null) return { status: "duplicate" };
  try {
    return await dispatchFor(deps, restaurantId, event);
  } catch (error) {
    // Not acted on (Redis down, or the order is not known yet): forget the event so the
    // vendor's redelivery is processed.
    await deps.redis.send("DEL", [seenKey]).catch(() => undefined);
    throw error;
  }
}

async function dispatchFor(deps: Deps, restaurantId: number, event: PosWebhookEvent): Promise<WebhookOutcome> {
  if (event.kind === "inventory") {
    const jobId = await deps.queue.dispatch(InventoryUpdateFromPOS, { restaurantId }, { uniqueFor: 60 });
    return { status: "accepted", jobId };
  }
  const order = await deps.db.query.orders.findFirst({
    columns: { id: true },
    where: and(eq(orders.restaurantId, restaurantId), eq(orders.posOrderId, event.posOrderId)),
  });
  if (!order) {
    // Often the POS reports on an order before our sync job has stored its POS id: refuse for
    // now so the vendor redelivers (the caller forgets the event id).
    throw new AppError(409, "unknown_pos_order", "no order with that POS id yet; deliver the event again later");
  }
  const jobId = await deps.queue.dispatch(OrderStatusSyncFromPOS, { orderId: order.id, restaurantId });
  return { status: "accepted", jobId };
}

/** Queues a menu pull from the restaurant's POS (at most one waiting at a time). */
async function requestMenuSync(
  deps: Pick<Deps, "db" | "queue">,
  restaurantId: number,
): Promise<{ jobId: string | null; alreadyQueued: boolean }> {
  const connection = await deps.db.query.posConnections.findFirst({
    columns: { id: true },
    where: and(eq(posConnections.restaurantId, restaurantId), eq(posConnections.status, "active")),
  });
  if (!connection) throw new AppError(422, "no_pos_connection", "the restaurant has no active POS connection");
  const jobId = await deps.queue.dispatch(MenuSyncFromPOS, { restaurantId }, { uniqueFor: 600 });
  return { jobId, alreadyQueued: jobId === null };
}

/**
 * The POS routes' service: webhooks and manual menu pulls. Anything but a deliberate refusal
 * while queueing (Redis down) is a 503, so the vendor delivers the event again.
 */
export function createPosSyncService(deps: Deps) {
  return {
    async handleWebhook(request: WebhookRequest): Promise<WebhookOutcome> {
      try {
        return await handlePosWebhook(deps, request);
      } catch (error) {
        if (error instanceof AppError) throw error;
        deps.logger.error("webhook not queued", { error: (error as Error).message });
        throw new AppError(503, "queue_unavailable", "could not queue the webhook's work; retry later");
      }
    },
    requestMenuSync: (restaurantId: number) => requestMenuSync(deps, restaurantId),
  };
}

export type PosSyncService = ReturnType<typeof createPosSyncService>;
