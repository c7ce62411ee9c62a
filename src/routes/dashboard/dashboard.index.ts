import { dashboardHtml } from "../../dashboard/dashboard-html";
import { dashboardScript } from "../../dashboard/dashboard-script";
import { createRouter } from "../../http/create-router";

// Scripts only from this origin; chart.js sets inline styles on its canvases; never in a frame.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** The dashboard page and its script. The page itself is public; the data behind it needs a token. */
export const dashboardRouter = createRouter()
  .get("/dashboard", (c) => c.html(dashboardHtml, 200, { "content-security-policy": CSP }))
  .get("/dashboard/app.js", async (c) =>
    c.body(await dashboardScript(), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    }),
  );
