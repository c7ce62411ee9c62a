import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../src/config";
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

let t: TestApp;
let world: MonitoringWorld;
let server: ReturnType<typeof Bun.serve> | undefined;
let origin = "";
let browser: Browser;
let page: Page;
const failedOwn: string[] = [];

describe.skipIf(!chromiumFound)("dashboard in headless Chromium", () => {
  beforeAll(async () => {
    t = await createTestApp();
    world = await monitoringWorld(t);
    for (const [restaurantId, waiting, failures] of [
      [1, 2, 2],
      [2, 1, 1],
    ] as const) {
      for (let i = 0; i < waiting; i++) await world.waitingJob(restaurantId, restaurantId * 10 + i);
      for (let i = 0; i < failures; i++) {
        const id = await world.failedJob(restaurantId);
        if (restaurantId === 1) failedOwn.push(id);
      }
      await world.heldJob(restaurantId);
    }
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

  async function signIn(email: string) {
    await page.goto(`${origin}dashboard?refresh=300`);
    if (await page.locator("#sign-out").isVisible()) await page.click("#sign-out");
    await page.evaluate(() => {
      delete document.body.dataset.refreshedAt;
    });
    await page.fill("#token", await t.tokenFor(email));
    await page.click("#sign-in-form button[type=submit]");
    // Signed in as this user, and their first refresh has landed (not the previous user's page).
    await page.waitForFunction(
      (who) => document.getElementById("who")?.textContent?.startsWith(who) && document.body.dataset.refreshedAt,
      email,
    );
    await page.waitForSelector("[data-testid=high-waiting]");
  }

  const cell = (id: string) => page.locator(`[data-testid=${id}]`).textContent();

  it("signs an owner in and shows the same numbers as the API, their restaurant only", async () => {
    await signIn("owner@demo.test");
    const api = await t.call("GET", "/v1/admin/queues", { token: await t.tokenFor("owner@demo.test") });
    for (const q of api.body.queues as Array<Record<string, number | string>>) {
      expect(await cell(`${q.queue}-waiting`)).toBe(String(q.waiting));
      expect(await cell(`${q.queue}-in-flight`)).toBe(String(q.inFlight));
      expect(await cell(`${q.queue}-delayed`)).toBe(String(q.delayed));
      expect(await cell(`${q.queue}-failed`)).toBe(String(q.failed));
    }
    expect(await cell("high-waiting")).toBe("2");
    expect(await cell("low-failed")).toBe("2");
    expect(await page.locator("#failed tr[data-job-id]").count()).toBe(2);
    expect(await page.locator("#pending tr").count()).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem("foodhub.dashboard.token"))).toBeTruthy();
  }, 30_000);

  it("retries a failed job from its button", async () => {
    const id = failedOwn[0]!;
    await page.click(`button[data-action=retry][data-job-id="${id}"]`);
    await page.waitForSelector(`#failed tr[data-job-id="${id}"]`, { state: "detached" });
    expect(await world.store.get(id)).toBeNull();
    await waitUntil(async () => (await cell("low-failed")) === "1");
  }, 30_000);

  it("shows no managing buttons to a manager", async () => {
    await signIn("manager@demo.test");
    await page.waitForSelector(`#failed tr[data-job-id="${failedOwn[1]}"]`);
    expect(await page.locator("#failed button").count()).toBe(0);
  }, 30_000);

  it("shows an admin everything, charts included (the README's screenshot)", async () => {
    await signIn("admin@demo.test");
    // The previous user's numbers stay on the page until the admin's first refresh lands.
    await waitUntil(async () => (await cell("high-waiting")) === "3", 10_000, "the admin's overview");
    expect(await cell("high-waiting")).toBe("3");
    await page.waitForSelector("#workers tr td");
    // Two refreshes, so the charts carry the latest minute.
    await page.waitForTimeout(700);
    const drawn = await page.evaluate(() => (document.getElementById("throughput") as HTMLCanvasElement).width);
    expect(drawn).toBeGreaterThan(0);
    await page.screenshot({ path: screenshot, fullPage: true });
  }, 30_000);
});
