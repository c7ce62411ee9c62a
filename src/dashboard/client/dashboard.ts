import { ApiError, api, loadSnapshot, type Me, tokenStore } from "./api";
import { refreshBatches } from "./batches";
import { QueueCharts } from "./charts";
import { el } from "./dom";
import { JobsExplorer } from "./explorer";
import { openJobDetail } from "./job-detail";
import { renderJobMetrics } from "./job-metrics";
import { renderOverview, renderPending, renderWorkers } from "./render";

const REFRESH_MS = Number(new URLSearchParams(location.search).get("refresh")) || 5000;

let me: Me | null = null;
let charts: QueueCharts | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Bumped at every sign-in and sign-out: a refresh started for an earlier user is dropped. */
let session = 0;

const refreshSoon = () => void refresh();
const explorer = new JobsExplorer((jobId) => {
  if (me) void openJobDetail(jobId, me, refreshSoon);
}, refreshSoon);

function showSignIn(message = ""): void {
  session += 1;
  clearTimeout(timer);
  me = null;
  el("board").hidden = true;
  el("sign-out").hidden = true;
  el("who").textContent = "";
  el("status").textContent = "";
  el("status-reasons").textContent = "";
  el("sign-in").hidden = false;
  el("sign-in-error").textContent = message;
}

/** One refresh of every panel; schedules the next one whatever happens. */
async function refresh(): Promise<void> {
  clearTimeout(timer);
  const mine = session;
  try {
    const range = el<HTMLSelectElement>("metrics-range").value === "day" ? "day" : "hour";
    const [snapshot] = await Promise.all([loadSnapshot(range), explorer.load()]);
    // Signed out, or someone else signed in, while this was loading: not theirs to see.
    if (!me || mine !== session) return;
    renderOverview(snapshot, me, refreshSoon);
    renderPending(snapshot);
    renderWorkers(snapshot);
    renderJobMetrics(snapshot.metrics);
    explorer.setChoices(
      snapshot.overview.queues.map((q) => q.queue),
      snapshot.metrics.jobs.map((j) => j.job ?? "").filter(Boolean),
    );
    await refreshBatches(el("board"), (message) => {
      el("refresh-error").hidden = false;
      el("refresh-error").textContent = message;
    });
    charts ??= new QueueCharts(el<HTMLCanvasElement>("throughput"), el<HTMLCanvasElement>("runtime"));
    charts.update(snapshot.metrics);
    el("refresh-error").hidden = true;
    document.body.dataset.refreshedAt = String(snapshot.overview.generatedAt);
  } catch (error) {
    // A failure of an earlier user's refresh is not this user's concern.
    if (mine !== session) return;
    if (error instanceof ApiError && error.status === 401) {
      tokenStore.clear();
      return showSignIn("The token is no longer valid; paste a new one.");
    }
    el("refresh-error").hidden = false;
    el("refresh-error").textContent = `Refresh failed: ${(error as Error).message}`;
  }
  timer = setTimeout(() => void refresh(), REFRESH_MS);
}

async function start(): Promise<void> {
  session += 1;
  if (!tokenStore.get()) return showSignIn();
  try {
    me = await api<Me>("GET", "/v1/me");
  } catch (error) {
    tokenStore.clear();
    return showSignIn(error instanceof ApiError ? error.message : "Could not reach the API.");
  }
  const roles = me.user.isAdmin ? "admin" : me.memberships.map((m) => `${m.role} #${m.restaurantId}`).join(", ");
  el("who").textContent = `${me.user.email} (${roles})`;
  el("sign-in").hidden = true;
  el("sign-out").hidden = false;
  el("board").hidden = false;
  el("job-detail").hidden = true;
  el("outcome").hidden = true;
  explorer.signIn(me);
  await refresh();
}

el<HTMLFormElement>("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = el<HTMLTextAreaElement>("token").value.trim();
  if (token) tokenStore.set(token);
  void start();
});
el("sign-out").addEventListener("click", () => {
  tokenStore.clear();
  showSignIn();
});
el("detail-close").addEventListener("click", () => {
  el("job-detail").hidden = true;
});
el("metrics-range").addEventListener("change", refreshSoon);
void start();
