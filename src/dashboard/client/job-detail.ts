import { actions, confirmAndRun, showOutcome } from "./actions";
import { ApiError, api, type JobDetail, type Me } from "./api";
import { button, el, time } from "./dom";
import { canManage } from "./permissions";

const KIND_LABELS: Record<JobDetail["timeline"][number]["kind"], string> = {
  dispatched: "Dispatched",
  "attempt-failed": "Attempt failed",
  available: "Available",
  queued: "Queued",
  running: "Running",
  failed: "Failed",
};

function item(text: string, testId: string, extra?: Node): HTMLLIElement {
  const li = document.createElement("li");
  li.textContent = text;
  li.dataset.testid = testId;
  if (extra) li.append(extra);
  return li;
}

function fields(job: JobDetail): HTMLElement[] {
  const pairs: Array<[string, string]> = [
    ["Id", job.id],
    ["Queue", job.queue],
    ["Restaurant", job.restaurantId === null ? "—" : String(job.restaurantId)],
    ["Attempts", String(job.attempts)],
    ["Dispatched", time(job.createdAt)],
  ];
  if (job.dueAt !== null) pairs.push(["Due at", time(job.dueAt)]);
  if (job.consumer !== null) pairs.push(["Consumer", job.consumer]);
  if (job.failure) pairs.push(["Reason", job.failure.reason]);
  return pairs.flatMap(([label, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.testid = `detail-${label.toLowerCase().replace(/ /g, "-")}`;
    return [dt, dd];
  });
}

/**
 * The job detail panel: payload, the errors the queue kept (stacks for admins: the API leaves them
 * out for everyone else), the timeline, and retry / delete for a failed job the user may manage.
 */
export async function openJobDetail(jobId: string, me: Me, refreshAll: () => void): Promise<void> {
  let job: JobDetail;
  try {
    job = await api<JobDetail>("GET", `/v1/admin/queues/jobs/${encodeURIComponent(jobId)}`);
  } catch (error) {
    const message =
      error instanceof ApiError && (error.status === 404 || error.status === 400)
        ? `No job ${jobId} that you may see.`
        : `Could not load job ${jobId}: ${(error as Error).message}`;
    showOutcome(message, false);
    return;
  }
  const panel = el("job-detail");
  panel.dataset.jobId = job.id;
  el("detail-title").textContent = `${job.name} · ${job.state}`;
  el("detail-fields").replaceChildren(...fields(job));
  el("detail-payload").textContent = JSON.stringify(job.payload, null, 2);
  el("detail-errors").replaceChildren(
    ...(job.errors.length === 0
      ? [item("No errors recorded.", "detail-error")]
      : job.errors.map((e) => {
          let stack: HTMLElement | undefined;
          if (e.stack) {
            stack = document.createElement("details");
            const summary = document.createElement("summary");
            summary.textContent = "Stack";
            const pre = document.createElement("pre");
            pre.textContent = e.stack;
            pre.dataset.testid = "detail-stack";
            stack.append(summary, pre);
          }
          return item(`Attempt ${e.attempt} · ${time(e.at)} · ${e.message}`, "detail-error", stack);
        })),
  );
  el("detail-timeline").replaceChildren(
    ...job.timeline.map((e) => {
      const attempt = e.attempt === null ? "" : ` (attempt ${e.attempt})`;
      const detail = e.detail === null ? "" : ` — ${e.detail}`;
      return item(`${time(e.at)} · ${KIND_LABELS[e.kind]}${attempt}${detail}`, `timeline-${e.kind}`);
    }),
  );
  const buttons = el("detail-actions");
  buttons.replaceChildren();
  if (job.state === "failed" && canManage(me, job.restaurantId)) {
    const reopen = () => {
      refreshAll();
      void openJobDetail(job.id, me, refreshAll);
    };
    const close = () => {
      panel.hidden = true;
      refreshAll();
    };
    buttons.append(
      button("Retry", { action: "retry", jobId: job.id }, () =>
        confirmAndRun(`Retry job ${job.id} (${job.name})?`, () => actions.retry(job.id), reopen),
      ),
      " ",
      button(
        "Delete",
        { action: "delete", jobId: job.id },
        () => confirmAndRun(`Delete failed job ${job.id} (${job.name})?`, () => actions.remove(job.id), close),
        true,
      ),
    );
  }
  panel.hidden = false;
  panel.scrollIntoView({ block: "nearest" });
}
