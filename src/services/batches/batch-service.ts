import { and, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { jobBatches, posConnections } from "../../../db/schema";
import { authorize, authorizePlatform, scopeFor } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { notFound, unprocessable } from "../../kernel/app-error";
import type { BatchJob, BatchRecord } from "../../queue/batches";
import type { Queue } from "../../queue/queue";
import { RecordJobBatch } from "../../sync/app-job-contracts";
import { InventoryUpdateFromPOS, MenuSyncFromPOS } from "../../sync/pos-job-contracts";

/** What a caller may ask for: a platform-wide pull (admins), or one restaurant's full resync. */
export type BatchRequest =
  | { kind: "sync-all-restaurants"; what: "menu" | "inventory" }
  | { kind: "resync-restaurant"; restaurantId: number };

/** A batch as the routes show it: its record plus what the app put in its meta. */
export type BatchView = BatchRecord & { kind: string; restaurantId: number | null; progress: number };

function view(record: BatchRecord): BatchView {
  const done = record.processed + record.failed + record.skipped;
  return {
    ...record,
    kind: String(record.meta.kind ?? "unknown"),
    restaurantId: record.scope === "" ? null : Number(record.scope),
    progress: record.total === 0 ? 1 : Math.round((done / record.total) * 1000) / 1000,
  };
}

/** A finished batch from `job_batches`, once Redis no longer holds it. */
function fromHistory(row: typeof jobBatches.$inferSelect): BatchRecord {
  const options = row.options as Record<string, unknown>;
  const { scope, allowFailures, processed, skipped, ...meta } = options;
  return {
    id: row.id,
    name: row.name,
    scope: String(scope ?? ""),
    meta,
    allowFailures: allowFailures === true,
    total: row.totalJobs,
    pending: row.pendingJobs,
    processed: Number(processed ?? 0),
    failed: row.failedJobs,
    skipped: Number(skipped ?? 0),
    failedJobIds: row.failedJobIds,
    createdAt: row.createdAt.getTime(),
    cancelledAt: row.cancelledAt?.getTime() ?? null,
    finishedAt: row.finishedAt?.getTime() ?? null,
  };
}

/**
 * POS sync batches: "sync the menu (or inventory) of every restaurant" and "resync everything"
 * of one restaurant, with their progress. Tenant rules: a platform-wide batch is an admin's
 * business; a restaurant's batch is seen by its owners and managers and run or cancelled by its owners.
 */
export class BatchService {
  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
  ) {}

  async create(principal: Principal, request: BatchRequest): Promise<BatchView> {
    const restaurantId = request.kind === "resync-restaurant" ? request.restaurantId : null;
    if (restaurantId === null) authorizePlatform(principal, "batches:platform");
    else authorize(principal, "batches:manage", restaurantId);
    const connections = await this.db
      .selectDistinct({ restaurantId: posConnections.restaurantId })
      .from(posConnections)
      .where(
        restaurantId === null
          ? eq(posConnections.status, "active")
          : and(eq(posConnections.status, "active"), eq(posConnections.restaurantId, restaurantId)),
      );
    if (connections.length === 0) {
      throw unprocessable("nothing_to_sync", "no active POS connection to sync");
    }
    const jobs: BatchJob[] = connections.flatMap(({ restaurantId: id }): BatchJob[] => {
      if (request.kind === "sync-all-restaurants") {
        return [
          { job: request.what === "menu" ? MenuSyncFromPOS : InventoryUpdateFromPOS, payload: { restaurantId: id } },
        ];
      }
      return [
        { job: MenuSyncFromPOS, payload: { restaurantId: id } },
        { job: InventoryUpdateFromPOS, payload: { restaurantId: id } },
      ];
    });
    const name =
      request.kind === "sync-all-restaurants"
        ? `${request.what} sync of every restaurant`
        : `resync of restaurant ${request.restaurantId}`;
    const id = await this.queue.dispatchBatch(jobs, {
      name,
      scope: restaurantId === null ? "" : String(restaurantId),
      allowFailures: true,
      meta: { kind: request.kind, createdBy: principal.userId },
      finally: { job: RecordJobBatch, payload: {} },
    });
    return (await this.#find(id))!;
  }

  /** Newest first: every batch for admins, else those of the restaurants the caller may view. */
  async list(principal: Principal, limit = 50): Promise<BatchView[]> {
    const scope = scopeFor(principal, "batches:view");
    const records = await this.queue.batches.list({
      scopes: scope === "all" ? undefined : scope.map(String),
      limit,
    });
    return records.map(view);
  }

  async show(principal: Principal, id: string): Promise<BatchView> {
    const batch = await this.#find(id);
    if (!batch) throw notFound("batch");
    this.#authorize(principal, batch, "batches:view");
    return batch;
  }

  async cancel(principal: Principal, id: string): Promise<BatchView> {
    const batch = await this.show(principal, id);
    this.#authorize(principal, batch, "batches:manage");
    if (batch.finishedAt === null) await this.queue.cancelBatch(id);
    return (await this.#find(id)) ?? batch;
  }

  #authorize(principal: Principal, batch: BatchView, action: "batches:view" | "batches:manage"): void {
    // A platform-wide batch does not exist for anyone but admins.
    if (batch.restaurantId === null) {
      if (!principal.isAdmin) throw notFound("batch");
      return;
    }
    authorize(principal, action, batch.restaurantId, "batch");
  }

  async #find(id: string): Promise<BatchView | null> {
    const live = await this.queue.batches.find(id);
    if (live) return view(live);
    const [row] = await this.db.select().from(jobBatches).where(eq(jobBatches.id, id));
    return row ? view(fromHistory(row)) : null;
  }
}
