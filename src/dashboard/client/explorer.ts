import { actions, confirmAndRun, describeFilter, type FailedFilter } from "./actions";
import { ApiError, api, type FailedPage, type JobPage, type Me, query } from "./api";
import { button, type Cell, duration, el, empty, fill, headRow, row, tagged, time } from "./dom";
import { canManage, canManageFilter } from "./permissions";

export type ExplorerState = "failed" | "waiting" | "delayed" | "in-flight";

const PAGE = 10;

const COLUMNS: Record<ExplorerState, { labels: string[]; numeric: number[] }> = {
  failed: { labels: ["Id", "Job", "Queue", "Restaurant", "Reason", "Error", "Failed at", ""], numeric: [] },
  waiting: { labels: ["Id", "Job", "Queue", "Restaurant", "Attempts", "Waiting for"], numeric: [4, 5] },
  delayed: { labels: ["Id", "Job", "Queue", "Restaurant", "Attempts", "Due at", "Due in"], numeric: [4, 6] },
  "in-flight": {
    labels: ["Id", "Job", "Queue", "Restaurant", "Consumer", "Running for", "Deliveries"],
    numeric: [5, 6],
  },
};

/**
 * The jobs explorer: one list per state, paged, filtered by queue, job name and restaurant, with
 * the actions the user may take. A refresh that brings the same answer leaves the DOM alone, so
 * rows do not move under the pointer.
 */
export class JobsExplorer {
  #me: Me | null = null;
  #state: ExplorerState = "failed";
  #offset = 0;
  #filter: FailedFilter = {};
  #shown = "";
  #choices = "";
  /** Bumped by every load: only the latest one renders. */
  #loads = 0;

  constructor(
    private readonly openJob: (jobId: string) => void,
    private readonly refreshAll: () => void,
  ) {
    for (const tab of document.querySelectorAll<HTMLButtonElement>(".tab[data-state]")) {
      tab.addEventListener("click", () => {
        this.#state = tab.dataset.state as ExplorerState;
        this.#offset = 0;
        void this.load();
      });
    }
    el<HTMLFormElement>("job-filter").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = (id: string) => el<HTMLInputElement>(id).value.trim() || undefined;
      const restaurant = value("filter-restaurant");
      this.#filter = {
        queue: value("filter-queue"),
        name: value("filter-name"),
        restaurantId: restaurant === undefined ? undefined : Number(restaurant),
      };
      this.#offset = 0;
      void this.load();
    });
    el<HTMLFormElement>("job-search").addEventListener("submit", (event) => {
      event.preventDefault();
      const id = el<HTMLInputElement>("search-id").value.trim();
      if (id) this.openJob(id);
    });
    el("page-prev").addEventListener("click", () => this.#page(-PAGE));
    el("page-next").addEventListener("click", () => this.#page(PAGE));
    el("retry-matching").addEventListener("click", () => this.#bulk("retry"));
    el("clear-matching").addEventListener("click", () => this.#bulk("clear"));
  }

  /** A new user: back to the failed list, no filter. */
  signIn(me: Me): void {
    this.#me = me;
    this.#state = "failed";
    this.#offset = 0;
    this.#filter = {};
    this.#shown = "";
    el<HTMLFormElement>("job-filter").reset();
  }

  /** The queue and job names offered by the filter (rebuilt only when they change). */
  setChoices(queues: readonly string[], names: readonly string[]): void {
    const key = JSON.stringify([queues, names]);
    if (key === this.#choices) return;
    this.#choices = key;
    const options = (id: string, all: string, values: readonly string[]) => {
      const select = el<HTMLSelectElement>(id);
      const current = select.value;
      select.replaceChildren(new Option(all, ""), ...values.map((v) => new Option(v, v)));
      select.value = values.includes(current) ? current : "";
    };
    options("filter-queue", "All queues", queues);
    options("filter-name", "All jobs", names);
  }

  #page(delta: number): void {
    this.#offset = Math.max(0, this.#offset + delta);
    void this.load();
  }

  #bulk(kind: "retry" | "clear"): void {
    const filter = { ...this.#filter };
    const what = describeFilter(filter);
    void confirmAndRun(
      kind === "retry" ? `Retry ${what}?` : `Delete ${what}? This cannot be undone.`,
      () => (kind === "retry" ? actions.retryMatching(filter) : actions.clearMatching(filter)),
      () => {
        // The open job may be one of those just retried or deleted.
        el("job-detail").hidden = true;
        this.refreshAll();
      },
    );
  }

  async load(): Promise<void> {
    const me = this.#me;
    if (!me) return;
    const state = this.#state;
    const generation = ++this.#loads;
    for (const tab of document.querySelectorAll<HTMLButtonElement>(".tab[data-state]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.state === state));
    }
    el("bulk-actions").hidden = state !== "failed" || !canManageFilter(me, this.#filter.restaurantId);
    const params = { ...this.#filter, limit: PAGE, offset: this.#offset };
    let answer: FailedPage | JobPage;
    try {
      answer =
        state === "failed"
          ? await api<FailedPage>("GET", `/v1/admin/queues/failed?${query(params)}`)
          : await api<JobPage>("GET", `/v1/admin/queues/jobs?${query({ ...params, state })}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      if (generation !== this.#loads) return;
      this.#shown = "";
      el("jobs-head").replaceChildren(headRow(COLUMNS[state].labels));
      const message = empty(COLUMNS[state].labels.length, `Cannot list these jobs: ${(error as Error).message}`);
      message.dataset.testid = "jobs-error";
      fill("jobs", [message]);
      el("jobs").dataset.state = state;
      return;
    }
    // The user moved on while this was loading.
    if (generation !== this.#loads || me !== this.#me) return;
    const key = JSON.stringify([state, params, answer]);
    if (key === this.#shown) return;
    this.#shown = key;
    this.#render(me, state, answer);
  }

  #render(me: Me, state: ExplorerState, answer: FailedPage | JobPage): void {
    const { labels, numeric } = COLUMNS[state];
    el("jobs-head").replaceChildren(headRow(labels, numeric));
    const now = Date.now();
    const open = (id: string) => {
      const link = button(id, { openJob: id }, () => this.openJob(id));
      link.className = "link";
      return link;
    };
    let rows: HTMLTableRowElement[];
    let more: boolean;
    if ("total" in answer) {
      el("failed-total").textContent = `(${answer.total})`;
      more = answer.offset + answer.jobs.length < answer.total;
      rows = answer.jobs.map((j) => {
        const buttons = document.createElement("span");
        if (canManage(me, j.restaurantId)) {
          buttons.append(
            button("Retry", { action: "retry", jobId: j.id }, () =>
              confirmAndRun(`Retry job ${j.id} (${j.name})?`, () => actions.retry(j.id), this.refreshAll),
            ),
            " ",
            button(
              "Delete",
              { action: "delete", jobId: j.id },
              () =>
                confirmAndRun(`Delete failed job ${j.id} (${j.name})?`, () => actions.remove(j.id), this.refreshAll),
              true,
            ),
          );
        }
        const error = tagged(j.error, "failed-error", "error-text");
        return row([open(j.id), j.name, j.queue, j.restaurantId, j.reason, error, time(j.failedAt), buttons]);
      });
    } else {
      more = answer.hasMore;
      rows = answer.jobs.map((j) => {
        const cells: Cell[] = [open(j.id), j.name, j.queue, j.restaurantId];
        if (state === "waiting") cells.push(j.attempts, duration(Math.max(0, now - j.availableAt)));
        if (state === "delayed") {
          cells.push(j.attempts, tagged(time(j.dueAt), "due-at"), duration(j.dueAt === null ? null : j.dueAt - now));
        }
        if (state === "in-flight") cells.push(j.consumer, duration(j.idleMs), j.deliveries);
        return row(cells, numeric);
      });
    }
    answer.jobs.forEach((j, i) => {
      if (rows[i]) rows[i].dataset.jobId = j.id;
    });
    fill("jobs", rows.length > 0 ? rows : [empty(labels.length, `No ${state} jobs match`)]);
    // Which list the rows are: the tab is selected as soon as it is clicked, the rows come later.
    el("jobs").dataset.state = state;
    const range = `${this.#offset + 1}–${this.#offset + answer.jobs.length}`;
    el("page-info").textContent =
      answer.jobs.length === 0 ? "" : `${range}${"total" in answer ? ` of ${answer.total}` : ""}`;
    el<HTMLButtonElement>("page-prev").disabled = this.#offset === 0;
    el<HTMLButtonElement>("page-next").disabled = !more;
  }
}
