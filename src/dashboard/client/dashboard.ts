import { ApiError, api, loadSnapshot, type Me, tokenStore } from "./api";
import { refreshBatches } from "./batches";
import { QueueCharts } from "./charts";
import { renderFailed, renderOverview, renderPending, renderWorkers } from "./render";

const REFRESH_MS = Number(new URLSearchParams(location.search).get("refresh")) || 5000;

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let me: Me | null = null;
let charts: QueueCharts | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Bumped at every sign-in and sign-out: a refresh started for an earlier user is dropped. */
let session = 0;

function showSignIn(message = ""): void {
  session += 1;
  clearTimeout(timer);
  me = null;
  el("board").hidden = true;
  el("sign-out").hidden = true;
  el("who").textContent = "";
  el("status").textContent = "";
  el("sign-in").hidden = false;
  el("sign-in-error").textContent = message;
}

async function act(action: "retry" | "delete", jobId: string): Promise<void> {
  const path = action === "retry" ? `/v1/admin/queues/failed/${jobId}/retry` : `/v1/admin/queues/failed/${jobId}`;
  try {
    await api(action === "retry" ? "POST" : "DELETE", path);
  } catch (error) {
    el("refresh-error").hidden = false;
    el("refresh-error").textContent = `${action} failed: ${(error as Error).message}`;
  }
  await refresh();
}

/** One refresh of every panel; schedules the next one whatever happens. */
async function refresh(): Promise<void> {
  clearTimeout(timer);
  const mine = session;
  try {
    const snapshot = await loadSnapshot();
    // Signed out, or someone else signed in, while this was loading: not theirs to see.
    if (!me || mine !== session) return;
    renderOverview(snapshot);
    renderFailed(snapshot.failed, me, (action, jobId) => void act(action, jobId));
    renderPending(snapshot);
    renderWorkers(snapshot);
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
void start();
