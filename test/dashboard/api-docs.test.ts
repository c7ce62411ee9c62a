import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { loadConfig } from "../../src/config";
import { createTestApp, type TestApp } from "../support/app";

const config = loadConfig();
const chromiumFound = existsSync(config.CHROMIUM_PATH);
if (!chromiumFound) {
  if (config.REQUIRE_BROWSER_TESTS) {
    throw new Error(`REQUIRE_BROWSER_TESTS is set but there is no Chromium at ${config.CHROMIUM_PATH}`);
  }
  console.warn(`\n!!! SKIPPING the /docs browser test: no Chromium at ${config.CHROMIUM_PATH}.\n`);
}

let t: TestApp;
let server: ReturnType<typeof Bun.serve> | undefined;
let origin = "";
let browser: Browser;

describe.skipIf(!chromiumFound)("/docs in headless Chromium, offline", () => {
  beforeAll(async () => {
    t = await createTestApp();
    if (t.baseUrl) origin = `${t.baseUrl}/`;
    else {
      server = Bun.serve({ port: 0, fetch: t.app.fetch });
      origin = String(server.url);
    }
    browser = await chromium.launch({
      executablePath: config.CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
    await t?.close();
  });

  it("renders every operation from the installed package with the network beyond loopback blocked", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const blocked: string[] = [];
    // Nothing but loopback: a CDN script, font or telemetry call would fail, and is recorded.
    await page.route("**/*", (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      const loopback = hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
      if (loopback || protocol === "data:" || protocol === "blob:") return route.continue();
      blocked.push(route.request().url());
      return route.abort("internetdisconnected");
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(`${origin}docs`);
    // Scalar renders the document's title and its operations' summaries from /openapi.json.
    await page.getByRole("heading", { name: "FoodHub Sync API" }).first().waitFor({ timeout: 60_000 });
    // The sidebar lists every tag, the first (Analytics) open on its operations, and the server.
    await page.getByText("Orders, customers, menu or delivery figures").first().waitFor({ timeout: 30_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, what a reader sees.
    const text = await page.locator("body").innerText();
    for (const tag of ["Restaurants", "Orders", "Queue monitoring", "Operations", "Health", "POS"]) {
      expect(text).toContain(`Open Group - ${tag}`);
    }
    expect(text).toContain(origin.replace(/\/$/, ""));
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("serves the reference's script itself, never from a CDN", async () => {
    const html = await (await fetch(`${origin}docs`)).text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/);
    const script = await fetch(`${origin}docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect((await script.text()).length).toBeGreaterThan(1_000_000);
  });
});
