/** The dashboard's one page: markup and styles; `/dashboard/app.js` fills it in. */
export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FoodHub Sync — queues</title>
<style>
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d2430; background: #f5f6f8; }
  body { margin: 0; }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 1.25rem; background: #1d2430; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  #status-reasons { flex-basis: 100%; font-size: .85rem; color: #ffe9a8; }
  main { padding: 1rem 1.25rem; display: grid; gap: 1rem; }
  main > *, .charts > * { min-width: 0; }
  section { background: #fff; border-radius: 8px; padding: .75rem 1rem; box-shadow: 0 1px 2px #0002; }
  section h2 { font-size: 1rem; margin: 0 0 .5rem; }
  section h3 { font-size: .9rem; margin: .75rem 0 .25rem; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  .chart { position: relative; height: 240px; }
  .badge { padding: .15rem .6rem; border-radius: 999px; font-weight: 600; }
  .ok { background: #d8f5e1; color: #17623a; } .degraded { background: #fff1c2; color: #7a5b00; }
  .down { background: #ffd9d6; color: #8c1d13; }
  .error { color: #8c1d13; } .muted { color: #6b7480; }
  .error-text { max-width: 28rem; overflow-wrap: anywhere; }
  .faded { opacity: .5; }
  button { cursor: pointer; border: 1px solid #b8bfc9; background: #fff; border-radius: 4px; padding: .2rem .6rem; }
  button.danger { border-color: #d9a19b; color: #8c1d13; }
  button.link { border: 0; background: none; padding: 0; color: #1d5fa8; text-decoration: underline; font-family: monospace; }
  .grow { flex: 1; margin: 0; }
  .toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
  .toolbar input, .toolbar select { padding: .2rem; max-width: 12rem; }
  .tab[aria-selected=true] { background: #1d2430; color: #fff; border-color: #1d2430; }
  #outcome { padding: .5rem .75rem; border-radius: 6px; margin: 0; }
  #job-detail pre { background: #f5f6f8; padding: .5rem; overflow-x: auto; max-height: 20rem; }
  #job-detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: 0; }
  #job-detail dt { color: #6b7480; } #job-detail dd { margin: 0; overflow-wrap: anywhere; }
  ol.timeline { padding-left: 1.25rem; margin: 0; } ol.timeline li { margin: .15rem 0; }
  dialog { border: 0; border-radius: 8px; box-shadow: 0 4px 24px #0004; max-width: min(28rem, 90vw); }
  #sign-in { max-width: 36rem; margin: 3rem auto; }
  #sign-in textarea { width: 100%; height: 6rem; font-family: monospace; box-sizing: border-box; }
  [hidden] { display: none !important; }
  @media (max-width: 700px) {
    .charts { grid-template-columns: 1fr; }
    main { padding: .5rem; }
    header { padding: .5rem; }
    header h1 { flex-basis: 100%; }
  }
</style>
</head>
<body>
<header>
  <h1>FoodHub Sync — queues</h1>
  <span id="status" class="badge" data-testid="status"></span>
  <span id="who" class="muted"></span>
  <button id="sign-out" hidden>Sign out</button>
  <span id="status-reasons" data-testid="status-reasons"></span>
</header>
<section id="sign-in" hidden>
  <h2>Sign in</h2>
  <p>Paste a bearer token (<code>bun run token --email owner@demo.test</code> prints one).</p>
  <form id="sign-in-form">
    <textarea id="token" name="token" required></textarea>
    <p><button type="submit">Sign in</button> <span id="sign-in-error" class="error"></span></p>
  </form>
</section>
<main id="board" hidden>
  <p id="refresh-error" class="error" hidden></p>
  <p id="outcome" role="status" data-testid="outcome" hidden></p>
  <section><h2>Queues</h2>
    <div class="scroll"><table><thead><tr><th>Queue</th><th>State</th><th class="num">Waiting</th><th class="num">In flight</th>
      <th class="num">Delayed</th><th class="num">Failed</th><th class="num">Oldest wait</th>
      <th class="num">Processed 1m / 1h</th><th class="num">Failed 1h</th><th class="num">Workers</th><th></th></tr></thead>
      <tbody id="overview"></tbody></table></div>
  </section>
  <div class="charts">
    <section><h2>Throughput (jobs / minute)</h2><div class="chart"><canvas id="throughput"></canvas></div></section>
    <section><h2>Runtime p50 / p95 (ms)</h2><div class="chart"><canvas id="runtime"></canvas></div></section>
  </div>
  <section id="explorer"><h2>Jobs</h2>
    <div class="toolbar" role="tablist">
      <button class="tab" data-state="failed">Failed <span id="failed-total" class="muted"></span></button>
      <button class="tab" data-state="waiting">Waiting</button>
      <button class="tab" data-state="delayed">Delayed</button>
      <button class="tab" data-state="in-flight">In flight</button>
    </div>
    <form id="job-filter" class="toolbar">
      <select id="filter-queue" aria-label="Queue"><option value="">All queues</option></select>
      <select id="filter-name" aria-label="Job"><option value="">All jobs</option></select>
      <input id="filter-restaurant" type="number" min="1" placeholder="Restaurant id" aria-label="Restaurant">
      <button type="submit">Filter</button>
    </form>
    <form id="job-search" class="toolbar">
      <input id="search-id" placeholder="Job id" aria-label="Job id" required>
      <button type="submit">Find job</button>
    </form>
    <div id="bulk-actions" class="toolbar" hidden>
      <button id="retry-matching">Retry all matching</button>
      <button id="clear-matching" class="danger">Clear matching</button>
    </div>
    <div class="scroll"><table><thead id="jobs-head"></thead><tbody id="jobs"></tbody></table></div>
    <div class="toolbar"><button id="page-prev">Previous</button><span id="page-info" class="muted"></span>
      <button id="page-next">Next</button></div>
  </section>
  <section id="job-detail" hidden>
    <div class="toolbar"><h2 id="detail-title" class="grow"></h2><span id="detail-actions"></span>
      <button id="detail-close">Close</button></div>
    <dl id="detail-fields"></dl>
    <h3>Payload</h3><pre id="detail-payload"></pre>
    <h3>Errors</h3><ol id="detail-errors" class="timeline"></ol>
    <h3>Timeline</h3><ol id="detail-timeline" class="timeline"></ol>
  </section>
  <section><h2>Per-job metrics</h2>
    <div class="toolbar"><select id="metrics-range" aria-label="Range"><option value="hour">Last hour</option>
      <option value="day">Last 24 hours</option></select></div>
    <div class="scroll"><table><thead><tr><th>Job</th><th>Queue</th><th class="num">Processed</th><th class="num">Failed</th>
      <th class="num">Failure rate</th><th class="num">Jobs / min</th><th class="num">Runtime p50</th>
      <th class="num">Runtime p95</th></tr></thead><tbody id="job-metrics"></tbody></table></div>
    <h3>Wait time per queue</h3>
    <div class="scroll"><table><thead><tr><th>Queue</th><th class="num">Attempts</th><th class="num">Average</th>
      <th class="num">p50</th><th class="num">p95</th></tr></thead><tbody id="queue-wait"></tbody></table></div>
  </section>
  <section><h2>Pending entries</h2>
    <div class="scroll"><table><thead><tr><th>Job</th><th>Queue</th><th>Restaurant</th><th>Consumer</th><th class="num">Idle</th>
      <th class="num">Deliveries</th><th>Stalled</th></tr></thead><tbody id="pending"></tbody></table></div>
  </section>
  <section><h2>Workers</h2>
    <p id="workers-note" class="muted"></p>
    <div class="scroll"><table><thead><tr><th>Worker</th><th>Host / pid</th><th>State</th><th class="num">Heartbeat</th><th>Queues</th>
      <th class="num">Concurrency</th><th class="num">In flight</th></tr></thead><tbody id="workers"></tbody></table></div>
  </section>
</main>
<dialog id="confirm">
  <p id="confirm-text"></p>
  <p><button id="confirm-yes" class="danger">Confirm</button> <button id="confirm-no">Cancel</button></p>
</dialog>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;
