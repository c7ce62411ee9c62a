import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../src/config";
import { opaqueWorkerId } from "../../src/services/monitoring/job-views";
import { createTestApp, type TestApp } from "../support/app";
import { type MonitoringWorld, monitoringWorld, waitUntil } from "../support/monitoring-world";

const config = loadConfig();
const chromiumFound = existsSync(config.CHROMIUM_PATH);
if (!chromiumFound) {
  if (config.REQUIRE_BROWSER_TESTS) {
    throw new Error(`REQUIRE_BROWSER_TESTS is set but there is no Chromium at ${config.CHROMIUM_PATH}`);
  }
  console.warn(
    `\n!!! SKIPPING the dashboard browser test: no Chromium at ${config.CHROMIUM_PATH}.\n` +
      "!!! Install it (apt-get install chromium) or set CHROMIUM_PATH; CI sets REQUIRE_BROWSER_TESTS=true.\n",
  );
}

// The README's screenshot is written when missing (delete it to refresh it); other runs write to
// .data so a test run does not leave a changed tracked file behind.
const readmeShot = new URL("../../docs/dashboard.png", import.meta.url).pathname;
const screenshot = existsSync(readmeShot) ? new URL("../../.data/dashboard.png", import.meta.url).pathname : readmeShot;

/** Restaurant 1 has more waiting jobs than one page of the explorer holds (10). */
const OWN_WAITING = 12;

let t: TestApp;
let world: MonitoringWorld;
let server: ReturnType<typeof Bun.serve> | undefined;
let origin = "";
let browser: Browser;
let page: Page;
const failedOwn: string[] = [];
const waitingOwn: string[] = [];
let delayedOwn = "";

describe.skipIf(!chromiumFound)("dashboard in headless Chromium", () => {
  beforeAll(async () => {
    t = await createTestApp();
    world = await monitoringWorld(t);
    for (const [restaurantId, waiting, failures] of [
      [1, OWN_WAITING, 2],
      [2, 1, 1],
    ] as const) {
      for (let i = 0; i < waiting; i++) {
        const id = await world.waitingJob(restaurantId, restaurantId * 100 + i);
        if (restaurantId === 1) waitingOwn.push(id);
      }
      for (let i = 0; i < failures; i++) {
        const id = await world.failedJob(restaurantId);
        if (restaurantId === 1) failedOwn.push(id);
      }
      await world.heldJob(restaurantId);
    }
    delayedOwn = await world.delayedJob(1, 1);
    // On TEST_RUNTIME=workerd|deno the page, its prebuilt script and the API come from that runtime.
    if (t.baseUrl) origin = `${t.baseUrl}/`;
    else {
      server = Bun.serve({ port: 0, fetch: t.app.fetch });
      origin = String(server.url);
    }
    browser = await chromium.launch({
      executablePath: config.CHROMIUM_PATH,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
    await world?.stop();
    await t?.close();
  });

  async function signIn(email: string, on = page) {
    await on.goto(`${origin}dashboard?refresh=300`);
    // A stored token signs the page in by itself a moment after it loads, so whether the sign-out
    // button shows yet is a race (lost on slower runtimes): start from a page with no token instead.
    await on.evaluate(() => localStorage.clear());
    await on.reload();
    await on.evaluate(() => {
      delete document.body.dataset.refreshedAt;
    });
    await on.fill("#token", await t.tokenFor(email));
    await on.click("#sign-in-form button[type=submit]");
    // Signed in as this user, and their first refresh has landed (not the previous user's page).
    await on.waitForFunction(
      (who) => document.getElementById("who")?.textContent?.startsWith(who) && document.body.dataset.refreshedAt,
      email,
    );
    await on.waitForSelector("[data-testid=high-waiting]");
  }

  const cell = (id: string) => page.locator(`[data-testid=${id}]`).first().textContent();
  const jobRows = () => page.locator("#jobs tr[data-job-id]");
  const rowIds = () => jobRows().evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.jobId));

  async function tab(state: string) {
    await page.click(`.tab[data-state="${state}"]`);
    await page.waitForSelector(`.tab[data-state="${state}"][aria-selected=true]`);
    // The rows of that list, not the previous tab's still on screen while it loads.
    await page.waitForSelector(`#jobs[data-state="${state}"]`, { state: "attached" });
  }

  async function filter(values: { queue?: string; name?: string; restaurant?: string }) {
    await page.selectOption("#filter-queue", values.queue ?? "");
    await page.selectOption("#filter-name", values.name ?? "");
    await page.fill("#filter-restaurant", values.restaurant ?? "");
    await page.click("#job-filter button[type=submit]");
  }

  /** Clicks a button that asks for confirmation, checks the question, answers, returns the outcome shown. */
  async function confirmed(selector: string, question: string, answer: "yes" | "no" = "yes") {
    await page.evaluate(() => {
      document.getElementById("outcome")!.hidden = true;
    });
    await page.click(selector);
    await page.waitForSelector("#confirm[open]");
    expect(await page.locator("#confirm-text").textContent()).toContain(question);
    await page.click(`#confirm-${answer}`);
    await page.waitForSelector("#confirm:not([open])", { state: "attached" });
    if (answer === "no") return null;
    await page.waitForSelector("#outcome:not([hidden])");
    return page.locator("#outcome").textContent();
  }

  it("signs an owner in and shows the same numbers as the API, their restaurant only", async () => {
    await signIn("owner@demo.test");
    const api = await t.call("GET", "/v1/admin/queues", { token: await t.tokenFor("owner@demo.test") });
    for (const q of api.body.queues as Array<Record<string, number | string>>) {
      expect(await cell(`${q.queue}-waiting`)).toBe(String(q.waiting));
      expect(await cell(`${q.queue}-in-flight`)).toBe(String(q.inFlight));
      expect(await cell(`${q.queue}-delayed`)).toBe(String(q.delayed));
      expect(await cell(`${q.queue}-failed`)).toBe(String(q.failed));
    }
    expect(await cell("high-waiting")).toBe(String(OWN_WAITING));
    expect(await cell("low-failed")).toBe("2");
    // The explorer opens on the failed list.
    await page.waitForSelector(`#jobs tr[data-job-id="${failedOwn[0]}"]`);
    expect((await rowIds()).sort()).toEqual([...failedOwn].sort());
    expect(await page.locator("#pending tr").count()).toBe(1);
    expect(await page.locator("#overview button[data-action=pause]").count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem("foodhub.dashboard.token"))).toBeTruthy();
  }, 30_000);

  it("says why the status is not ok", async () => {
    // Jobs wait on high and default, and the only worker serves low.
    expect(await cell("status")).toBe("down");
    expect(await cell("status-reasons")).toContain(`high: ${OWN_WAITING} waiting and no live worker serves it`);
  }, 30_000);

  it("deletes nothing when a confirmation is cancelled, and retries a failed job once confirmed", async () => {
    const [id, kept] = failedOwn as [string, string];
    expect(await confirmed(`#jobs button[data-action=delete][data-job-id="${kept}"]`, "Delete failed job", "no")).toBe(
      null,
    );
    expect(await world.store.get(kept)).not.toBeNull();
    const outcome = await confirmed(`#jobs button[data-action=retry][data-job-id="${id}"]`, `Retry job ${id}`);
    expect(outcome).toBe(`Job ${id} was queued again.`);
    await page.waitForSelector(`#jobs tr[data-job-id="${id}"]`, { state: "detached" });
    expect(await world.store.get(id)).toBeNull();
    await waitUntil(async () => (await cell("low-failed")) === "1");
  }, 30_000);

  it("pages through waiting jobs, filters them by job name, and shows delayed jobs with their due time", async () => {
    await tab("waiting");
    await waitUntil(async () => (await jobRows().count()) === 10, 10_000, "a full first page");
    expect(await page.locator("#page-info").textContent()).toBe("1–10");
    expect(await page.locator("#page-prev").isDisabled()).toBe(true);
    await page.click("#page-next");
    await waitUntil(async () => (await jobRows().count()) === OWN_WAITING - 10, 10_000, "the second page");
    expect(await page.locator("#page-info").textContent()).toBe(`11–${OWN_WAITING}`);
    expect(await page.locator("#page-next").isDisabled()).toBe(true);
    const shown = await rowIds();
    await page.click("#page-prev");
    await waitUntil(async () => (await jobRows().count()) === 10);
    expect(new Set([...shown, ...(await rowIds())])).toEqual(new Set(waitingOwn));

    await filter({ name: "PaymentSyncToPOS" });
    await page.waitForSelector("#jobs td.muted");
    expect(await page.locator("#jobs").textContent()).toBe("No waiting jobs match");
    await filter({ name: "OrderSyncToPOS", queue: "high" });
    await waitUntil(async () => (await jobRows().count()) === 10);

    await filter({});
    await tab("delayed");
    await page.waitForSelector(`#jobs tr[data-job-id="${delayedOwn}"]`);
    const api = await t.call("GET", "/v1/admin/queues/jobs?state=delayed", {
      token: await t.tokenFor("owner@demo.test"),
    });
    const due = (api.body.jobs as Array<{ id: string; dueAt: number }>).find((j) => j.id === delayedOwn)!.dueAt;
    const shownDue = await page.locator(`#jobs tr[data-job-id="${delayedOwn}"] [data-testid=due-at]`).textContent();
    expect(shownDue).toBe(await page.evaluate((at) => new Date(at).toLocaleString(), due));

    await tab("in-flight");
    await page.waitForSelector("#jobs tr[data-job-id]");
    expect(await jobRows().count()).toBe(1);
    // An owner sees the worker by its opaque id: host and pid are an admin's.
    expect(await page.locator("#jobs").textContent()).toContain(opaqueWorkerId(world.worker.info().id));
  }, 30_000);

  it("refuses another restaurant's jobs in the filter and finds a job by id with its timeline", async () => {
    await tab("waiting");
    await filter({ restaurant: "2" });
    await page.waitForSelector("[data-testid=jobs-error]");
    expect(await cell("jobs-error")).toContain("Cannot list these jobs");
    await filter({});

    const id = waitingOwn[0]!;
    await page.fill("#search-id", id);
    await page.click("#job-search button[type=submit]");
    await page.waitForSelector(`#job-detail[data-job-id="${id}"]:not([hidden])`);
    expect(await page.locator("#detail-title").textContent()).toBe("OrderSyncToPOS · waiting");
    expect(JSON.parse((await page.locator("#detail-payload").textContent())!)).toEqual({
      orderId: 100,
      restaurantId: 1,
    });
    expect(await cell("detail-error")).toBe("No errors recorded.");
    expect(await page.locator("[data-testid=timeline-dispatched]").count()).toBe(1);
    expect(await cell("timeline-queued")).toContain("Queued (attempt 1) — in stream high");

    // An earlier action's outcome may still be showing: wait for this search's own.
    await page.evaluate(() => {
      document.getElementById("outcome")!.hidden = true;
    });
    await page.fill("#search-id", "no-such-job");
    await page.click("#job-search button[type=submit]");
    await page.waitForSelector("#outcome:not([hidden])");
    expect(await cell("outcome")).toBe("No job no-such-job that you may see.");
  }, 30_000);

  it("shows a failed job's error without its stack to an owner", async () => {
    await tab("failed");
    const id = failedOwn[1]!;
    await page.click(`#jobs button[data-open-job="${id}"]`);
    await page.waitForSelector(`#job-detail[data-job-id="${id}"]:not([hidden])`);
    expect(await page.locator("#detail-title").textContent()).toBe("MenuSyncFromPOS · failed");
    expect(await cell("detail-error")).toContain("NonRetryableError: menu of restaurant 1 rejected by the POS");
    expect(await page.locator("[data-testid=detail-stack]").count()).toBe(0);
    expect(await cell("timeline-failed")).toContain("Failed (attempt 1) — non-retryable: NonRetryableError");
    expect(await page.locator("#detail-actions button[data-action=retry]").count()).toBe(1);
    await page.click("#detail-close");
    expect(await page.locator("#job-detail").isHidden()).toBe(true);
  }, 30_000);

  it("shows no managing actions to a manager", async () => {
    await signIn("manager@demo.test");
    await page.waitForSelector(`#jobs tr[data-job-id="${failedOwn[1]}"]`);
    expect(await page.locator("#jobs button[data-action]").count()).toBe(0);
    expect(await page.locator("#bulk-actions").isHidden()).toBe(true);
    expect(await page.locator("#overview button[data-action]").count()).toBe(0);
    await page.click(`#jobs button[data-open-job="${failedOwn[1]}"]`);
    await page.waitForSelector(`#job-detail[data-job-id="${failedOwn[1]}"]:not([hidden])`);
    expect(await page.locator("#detail-actions button").count()).toBe(0);
  }, 30_000);

  it("retries every failed job matching a filter for an owner", async () => {
    await signIn("owner@demo.test");
    await page.waitForSelector(`#jobs tr[data-job-id="${failedOwn[1]}"]`);
    expect(await page.locator("#bulk-actions").isVisible()).toBe(true);
    await filter({ queue: "low" });
    const outcome = await confirmed("#retry-matching", "Retry failed jobs of queue low?");
    expect(outcome).toBe("1 failed job queued again.");
    await page.waitForSelector(`#jobs tr[data-job-id="${failedOwn[1]}"]`, { state: "detached" });
    expect(await world.store.get(failedOwn[1]!)).toBeNull();
  }, 30_000);

  it("shows an admin the stack, and clears another restaurant's failed jobs", async () => {
    await signIn("admin@demo.test");
    await waitUntil(async () => (await cell("high-waiting")) === String(OWN_WAITING + 1), 10_000, "admin overview");
    await filter({ restaurant: "2" });
    await page.waitForSelector("#jobs tr[data-job-id]");
    const [theirs] = (await rowIds()) as [string];
    await page.click(`#jobs button[data-open-job="${theirs}"]`);
    await page.waitForSelector(`#job-detail[data-job-id="${theirs}"]:not([hidden])`);
    await page.click("#detail-errors summary");
    expect(await cell("detail-stack")).toContain("NonRetryableError: menu of restaurant 2 rejected by the POS");

    const outcome = await confirmed("#clear-matching", "Delete failed jobs of restaurant 2?");
    expect(outcome).toBe("1 failed job deleted.");
    expect(await world.store.get(theirs)).toBeNull();
    expect(await page.locator("#job-detail").isHidden()).toBe(true);
    await page.waitForSelector("#jobs td.muted");
    expect(await page.locator("#jobs").textContent()).toBe("No failed jobs match");
    await filter({});
  }, 30_000);

  it("pauses and resumes a queue for an admin", async () => {
    expect(await confirmed("#overview button[data-queue=default]", "Pause queue default?")).toBe(
      "Queue default paused.",
    );
    await waitUntil(async () => (await cell("default-state")) === "paused", 10_000, "default paused");
    await waitUntil(async () => (await cell("status-reasons"))?.includes("default: paused"));
    expect(
      (await t.call("GET", "/v1/admin/queues", { token: await t.tokenFor("admin@demo.test") })).body.queues,
    ).toContainEqual(expect.objectContaining({ queue: "default", paused: true }));
    expect(await confirmed("#overview button[data-action=resume]", "Resume queue default?")).toBe(
      "Queue default resumed.",
    );
    await waitUntil(async () => (await cell("default-state")) === "running", 10_000, "default resumed");
  }, 30_000);

  it("shows per-job metrics and wait time per queue as the API counts them", async () => {
    const admin = await t.tokenFor("admin@demo.test");
    /** The page's MenuSyncFromPOS row and the API's summary for the range agree. */
    const matchesApi = async (range: "hour" | "day") => {
      const api = await t.call("GET", `/v1/admin/queues/metrics?range=${range}`, { token: admin });
      const menu = (api.body.jobs as Array<{ job: string; summary: { failed: number; processed: number } }>).find(
        (j) => j.job === "MenuSyncFromPOS",
      )!;
      const { failed, processed } = menu.summary;
      const rate = `${((failed / (failed + processed)) * 100).toFixed(1)} %`;
      const shown = [
        await cell("job-MenuSyncFromPOS-failed"),
        await cell("job-MenuSyncFromPOS-processed"),
        await cell("job-MenuSyncFromPOS-failure-rate"),
      ];
      return JSON.stringify(shown) === JSON.stringify([String(failed), String(processed), rate]) ? menu.summary : null;
    };
    const hour = await waitUntil(() => matchesApi("hour"), 10_000, "the hour's per-job metrics");
    // Three first tries failed; the two failed jobs of restaurant 1 were retried and then processed.
    expect(hour).toEqual(expect.objectContaining({ failed: 3, processed: 2 }));
    expect(await cell("job-OrderSyncToPOS-processed")).toBe("0");
    expect(await cell("job-OrderSyncToPOS-failure-rate")).toBe("—");
    expect(await cell("wait-low-p50")).not.toBe("—");
    expect(await cell("wait-high-p50")).toBe("—");
    await page.selectOption("#metrics-range", "day");
    await waitUntil(() => matchesApi("day"), 10_000, "the day's per-job metrics");
  }, 30_000);

  it("lists live workers first and fades a stopped one", async () => {
    const prefix = `{${t.config.REDIS_PREFIX}:meta}`;
    const now = Date.now();
    await t.redis.send("HSET", [
      `${prefix}:workers:info`,
      "stopped-worker",
      JSON.stringify({
        id: "stopped-worker",
        pid: 1,
        host: "gone",
        queues: ["low"],
        shards: 1,
        concurrency: 1,
        mode: "strict",
        state: "stopped",
        startedAt: now - 5000,
        lastBeatAt: now,
        inFlight: [],
        processed: 0,
        failed: 0,
        retried: 0,
        released: 0,
        dropped: 0,
      }),
    ]);
    // Scored newer than the live worker's last beat: only liveness puts it last.
    await t.redis.send("ZADD", [`${prefix}:workers`, now + 60_000, "stopped-worker"]);
    await page.waitForSelector("#workers tr[data-worker-id=stopped-worker]");
    const ids = await page
      .locator("#workers tr[data-worker-id]")
      .evaluateAll((rows) => rows.map((r) => [(r as HTMLElement).dataset.workerId, r.className]));
    expect(ids).toEqual([
      [world.worker.info().id, ""],
      ["stopped-worker", "faded"],
    ]);
    expect(await page.locator("#workers-note").textContent()).toContain("drop off 60 min after their last heartbeat");
  }, 30_000);

  it("fits a 390 px wide screen", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await signIn("admin@demo.test", phone);
      const widths = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
      expect(await phone.locator("[data-testid=status]").isVisible()).toBe(true);
      await phone.click('.tab[data-state="waiting"]');
      await phone.waitForSelector("#jobs tr[data-job-id]");
      await phone.locator("#jobs button[data-open-job]").first().click();
      await phone.waitForSelector("#job-detail:not([hidden])");
      const after = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(after).toBeLessThanOrEqual(390);
      await phone.screenshot({
        path: new URL("../../.data/dashboard-390.png", import.meta.url).pathname,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  }, 30_000);

  it("shows an admin everything, charts included (the README's screenshot)", async () => {
    await page.selectOption("#metrics-range", "hour");
    const failedNow = await world.failedJob(1);
    await page.click('.tab[data-state="failed"]');
    await page.click(`#jobs button[data-open-job="${failedNow}"]`);
    await page.waitForSelector(`#job-detail[data-job-id="${failedNow}"]:not([hidden])`);
    // The admin's stack stays folded: the screenshot need not show this machine's paths.
    expect(await page.locator("#detail-errors details").count()).toBe(1);
    await page.waitForSelector("#workers tr td");
    // Two refreshes, so the charts carry the latest minute.
    await page.waitForTimeout(700);
    const drawn = await page.evaluate(() => (document.getElementById("throughput") as HTMLCanvasElement).width);
    expect(drawn).toBeGreaterThan(0);
    await page.screenshot({ path: screenshot, fullPage: true });
  }, 30_000);
});
