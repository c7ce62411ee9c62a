import { actions, confirmAndRun } from "./actions";
import type { Me, Snapshot } from "./api";
import { button, duration, el, empty, fill, row, tagged } from "./dom";
import { isAdmin } from "./permissions";

/** The status badge, and why it is not ok (also the badge's tooltip). */
export function renderStatus(s: Snapshot): void {
  const status = el("status");
  status.textContent = s.overview.status;
  status.className = `badge ${s.overview.status}`;
  const reasons = s.overview.reasons.map((r) => r.message).join(" · ");
  status.title = reasons;
  el("status-reasons").textContent = reasons;
}

export function renderOverview(s: Snapshot, me: Me, refreshAll: () => void): void {
  renderStatus(s);
  fill(
    "overview",
    s.overview.queues.map((q) => {
      // Pausing stops a queue for every restaurant: offered to admins only, as the API allows.
      const pause = isAdmin(me)
        ? button(q.paused ? "Resume" : "Pause", { action: q.paused ? "resume" : "pause", queue: q.queue }, () =>
            confirmAndRun(
              q.paused ? `Resume queue ${q.queue}?` : `Pause queue ${q.queue}? Workers stop taking its jobs.`,
              () => actions.setPaused(q.queue, !q.paused),
              refreshAll,
            ),
          )
        : null;
      const tr = row(
        [
          q.queue,
          tagged(q.paused ? "paused" : q.longWait ? "long wait" : "running", `${q.queue}-state`),
          tagged(q.waiting, `${q.queue}-waiting`),
          tagged(q.inFlight, `${q.queue}-in-flight`),
          tagged(q.delayed, `${q.queue}-delayed`),
          tagged(q.failed, `${q.queue}-failed`),
          duration(q.oldestWaitingMs),
          `${q.processedLastMinute} / ${q.processedLastHour}`,
          q.failedLastHour,
          q.workers,
          pause ?? "",
        ],
        [2, 3, 4, 5, 6, 7, 8, 9],
      );
      return tr;
    }),
  );
}

export function renderPending(s: Snapshot): void {
  const entries = s.pending.entries;
  if (entries.length === 0) {
    fill("pending", [empty(7, "Nothing in flight")]);
    return;
  }
  fill(
    "pending",
    entries.map((e) =>
      row(
        [
          e.name ?? e.entryId,
          e.queue,
          e.restaurantId,
          e.consumer,
          duration(e.idleMs),
          e.deliveries,
          e.stalled ? "yes" : "no",
        ],
        [4, 5],
      ),
    ),
  );
}

/** Live workers first (the API sorts them); stopped and dead ones faded until the retention window drops them. */
export function renderWorkers(s: Snapshot): void {
  const { workers, retentionMs } = s.workers;
  el("workers-note").textContent =
    `Stopped and dead workers are faded, and drop off ${duration(retentionMs)} after their last heartbeat.`;
  if (workers.length === 0) {
    fill("workers", [empty(7, "No workers have reported")]);
    return;
  }
  fill(
    "workers",
    workers.map((w) => {
      const state = w.dead ? "dead" : w.state;
      const tr = row(
        [
          w.id,
          w.host === null ? "—" : `${w.host} / ${w.pid}`,
          tagged(state, "worker-state", w.alive ? "badge ok" : "badge down"),
          duration(w.heartbeatAgeMs),
          w.queues.join(", "),
          w.concurrency,
          w.inFlight.length,
        ],
        [3, 5, 6],
      );
      tr.dataset.workerId = w.id;
      if (!w.alive) tr.className = "faded";
      return tr;
    }),
  );
}
