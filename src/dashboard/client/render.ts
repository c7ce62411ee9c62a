import type { FailedPage, Me, Snapshot } from "./api";

type Cell = string | number | Node | null;

/** A table row from cells; text goes in as text, never as HTML (job errors are arbitrary strings). */
function row(cells: Cell[], numeric: readonly number[] = []): HTMLTableRowElement {
  const tr = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = document.createElement("td");
    if (numeric.includes(i)) td.className = "num";
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell === null ? "—" : String(cell);
    tr.append(td);
  });
  return tr;
}

function empty(columns: number, text: string): HTMLTableRowElement {
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  td.colSpan = columns;
  td.className = "muted";
  td.textContent = text;
  tr.append(td);
  return tr;
}

function tagged(text: string | number, testId: string, className = ""): HTMLSpanElement {
  const span = document.createElement("span");
  span.textContent = String(text);
  span.dataset.testid = testId;
  if (className) span.className = className;
  return span;
}

export const duration = (ms: number | null) =>
  ms === null
    ? "—"
    : ms < 1000
      ? `${Math.round(ms)} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.round(ms / 60_000)} min`;

const time = (at: number) => new Date(at).toLocaleString();

function fill(id: string, rows: HTMLTableRowElement[]): void {
  document.getElementById(id)?.replaceChildren(...rows);
}

export function renderOverview(s: Snapshot): void {
  const status = document.getElementById("status")!;
  status.textContent = s.overview.status;
  status.className = `badge ${s.overview.status}`;
  fill(
    "overview",
    s.overview.queues.map((q) =>
      row(
        [
          q.queue,
          q.paused ? "paused" : q.longWait ? "long wait" : "running",
          tagged(q.waiting, `${q.queue}-waiting`),
          tagged(q.inFlight, `${q.queue}-in-flight`),
          tagged(q.delayed, `${q.queue}-delayed`),
          tagged(q.failed, `${q.queue}-failed`),
          duration(q.oldestWaitingMs),
          `${q.processedLastMinute} / ${q.processedLastHour}`,
          q.failedLastHour,
          q.workers,
        ],
        [2, 3, 4, 5, 6, 7, 8, 9],
      ),
    ),
  );
}

/** Whether the signed-in user may retry or delete this restaurant's jobs (owners and admins). */
export function canManage(me: Me, restaurantId: number | null): boolean {
  if (me.user.isAdmin) return true;
  return me.memberships.some((m) => m.restaurantId === restaurantId && m.role === "owner");
}

export function renderFailed(page: FailedPage, me: Me, act: (action: "retry" | "delete", jobId: string) => void): void {
  document.getElementById("failed-total")!.textContent = `(${page.total})`;
  if (page.jobs.length === 0) {
    fill("failed", [empty(7, "No failed jobs")]);
    return;
  }
  fill(
    "failed",
    page.jobs.map((j) => {
      const buttons = document.createElement("span");
      if (canManage(me, j.restaurantId)) {
        for (const action of ["retry", "delete"] as const) {
          const button = document.createElement("button");
          button.textContent = action === "retry" ? "Retry" : "Delete";
          button.dataset.action = action;
          button.dataset.jobId = j.id;
          if (action === "delete") button.className = "danger";
          button.addEventListener("click", () => act(action, j.id));
          buttons.append(button, " ");
        }
      }
      const error = tagged(j.error, "failed-error", "error-text");
      error.title = j.stack ?? j.error;
      const tr = row([j.name, j.queue, j.restaurantId, j.reason, error, time(j.failedAt), buttons]);
      tr.dataset.jobId = j.id;
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

export function renderWorkers(s: Snapshot): void {
  const workers = s.workers.workers;
  if (workers.length === 0) {
    fill("workers", [empty(7, "No workers have reported")]);
    return;
  }
  fill(
    "workers",
    workers.map((w) =>
      row(
        [
          w.id,
          w.host === null ? "—" : `${w.host} / ${w.pid}`,
          w.dead ? "dead" : w.state,
          duration(w.heartbeatAgeMs),
          w.queues.join(", "),
          w.concurrency,
          w.inFlight.length,
        ],
        [3, 5, 6],
      ),
    ),
  );
}
