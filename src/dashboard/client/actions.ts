import { api, query } from "./api";
import { el } from "./dom";

/** Asks in the page's own dialog; resolves true only on "Confirm". */
function confirmDialog(message: string): Promise<boolean> {
  const dialog = el<HTMLDialogElement>("confirm");
  el("confirm-text").textContent = message;
  return new Promise((resolve) => {
    const answer = (yes: boolean) => () => {
      el("confirm-yes").onclick = null;
      el("confirm-no").onclick = null;
      dialog.onclose = null;
      dialog.close();
      resolve(yes);
    };
    el("confirm-yes").onclick = answer(true);
    el("confirm-no").onclick = answer(false);
    // Escape closes the dialog: that is a "no".
    dialog.onclose = answer(false);
    dialog.showModal();
  });
}

export function showOutcome(text: string, ok: boolean): void {
  const outcome = el("outcome");
  outcome.textContent = text;
  outcome.className = ok ? "ok" : "down";
  outcome.hidden = false;
}

/**
 * Every action goes through here: confirm, run, show what happened, then refresh. A refused or
 * failed action shows the API's message; nothing runs without a "Confirm".
 */
export async function confirmAndRun(message: string, run: () => Promise<string>, after: () => void): Promise<void> {
  if (!(await confirmDialog(message))) return;
  try {
    showOutcome(await run(), true);
  } catch (error) {
    showOutcome(`Not done: ${(error as Error).message}`, false);
  }
  after();
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export type FailedFilter = { queue?: string; name?: string; restaurantId?: number };

/** The API calls behind the dashboard's buttons, each returning the sentence that reports its outcome. */
export const actions = {
  async retry(jobId: string) {
    await api("POST", `/v1/admin/queues/failed/${encodeURIComponent(jobId)}/retry`);
    return `Job ${jobId} was queued again.`;
  },
  async remove(jobId: string) {
    await api("DELETE", `/v1/admin/queues/failed/${encodeURIComponent(jobId)}`);
    return `Failed job ${jobId} was deleted.`;
  },
  async retryMatching(filter: FailedFilter) {
    const { retried } = await api<{ retried: number }>("POST", "/v1/admin/queues/retry-failed", filter);
    return `${plural(retried, "failed job")} queued again.`;
  },
  async clearMatching(filter: FailedFilter) {
    const { deleted } = await api<{ deleted: number }>("DELETE", `/v1/admin/queues/failed?${query(filter)}`);
    return `${plural(deleted, "failed job")} deleted.`;
  },
  async setPaused(queue: string, paused: boolean) {
    await api("POST", `/v1/admin/queues/${paused ? "pause" : "resume"}/${encodeURIComponent(queue)}`);
    return `Queue ${queue} ${paused ? "paused" : "resumed"}.`;
  },
};

/** How a filter reads in a confirmation. */
export function describeFilter(filter: FailedFilter): string {
  const parts = [
    filter.queue && `queue ${filter.queue}`,
    filter.name && `job ${filter.name}`,
    filter.restaurantId !== undefined && `restaurant ${filter.restaurantId}`,
  ].filter(Boolean);
  return parts.length === 0 ? "every failed job you may manage" : `failed jobs of ${parts.join(", ")}`;
}
