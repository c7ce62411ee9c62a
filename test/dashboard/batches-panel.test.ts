import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../src/config";
import { createTestApp, type TestApp } from "../support/app";
import { deleteKeys } from "../support/redis";

const config = loadConfig();
const chromiumFound = existsSync(config.CHROMIUM_PATH);
if (!chromiumFound && config.REQUIRE_BROWSER_TESTS) {
  throw new Error(`REQUIRE_BROWSER_TESTS is set but there is no Chromium at ${config.CHROMIUM_PATH}`);
}

let t: TestApp;
let server: ReturnType<typeof Bun.serve> | undefined;
let origin = "";
let browser: Browser;
let page: Page;
let batch: { id: string; total: number };

describe.skipIf(!chromiumFound)("the dashboard's batches panel", () => {
  beforeAll(async () => {
    t = await createTestApp();
    const created = await t.call("POST", "/v1/admin/batches", {
      token: await t.tokenFor("owner@demo.test"),
      body: { kind: "resync-restaurant", restaurantId: 1 },
    });
    batch = created.body;
    if (t.baseUrl) origin = `${t.baseUrl}/`;
    else {
      server = Bun.serve({ port: 0, fetch: t.app.fetch });
      origin = String(server.url);
    }
    browser = await chromium.launch({
      executablePath: config.CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    page = await browser.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
    await deleteKeys(t.redis, `{${t.config.REDIS_PREFIX}`);
    await t?.close();
  });

  async function signIn(email: string) {
    await page.goto(`${origin}dashboard?refresh=300`);
    // A stored token signs the page in by itself a moment after it loads, so whether the sign-out
    // button shows yet is a race (lost on slower runtimes): start from a page with no token instead.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.evaluate(() => {
      delete document.body.dataset.refreshedAt;
    });
    await page.fill("#token", await t.tokenFor(email));
    await page.click("#sign-in-form button[type=submit]");
    await page.waitForFunction(
      (who) => document.getElementById("who")?.textContent?.startsWith(who) && document.body.dataset.refreshedAt,
      email,
      { timeout: 60_000 },
    );
  }

  it("shows an owner their batch with a progress bar, and cancels it from its button", async () => {
    await signIn("owner@demo.test");
    const row = page.locator(`#batches tr[data-batch-id="${batch.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator("progress").getAttribute("max")).toBe("1");
    expect(await row.locator("progress").evaluate((p) => (p as HTMLProgressElement).value)).toBe(0);
    expect(await row.locator("td").nth(2).textContent()).toBe(`0 / ${batch.total}`);
    expect(await row.locator("td").nth(4).textContent()).toBe("running");
    await row.locator("button").click();
    await page.waitForFunction(
      (id) =>
        document.querySelector(`#batches tr[data-batch-id="${id}"] td:nth-child(5)`)?.textContent === "cancelling",
      batch.id,
      { timeout: 30_000 },
    );
    const shown = await t.call("GET", `/v1/admin/batches/${batch.id}`, { token: await t.tokenFor("owner@demo.test") });
    expect(shown.body.cancelledAt).toBeGreaterThan(0);
  }, 120_000);

  it("does not show another restaurant's batch", async () => {
    await signIn("owner2@demo.test");
    await page.waitForSelector("#batches", { timeout: 30_000 });
    expect(await page.locator(`#batches tr[data-batch-id="${batch.id}"]`).count()).toBe(0);
  }, 120_000);
});
