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
  header { display: flex; gap: 1rem; align-items: center; padding: .75rem 1.25rem; background: #1d2430; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  main { padding: 1rem 1.25rem; display: grid; gap: 1rem; }
  section { background: #fff; border-radius: 8px; padding: .75rem 1rem; box-shadow: 0 1px 2px #0002; }
  section h2 { font-size: 1rem; margin: 0 0 .5rem; }
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
  button { cursor: pointer; border: 1px solid #b8bfc9; background: #fff; border-radius: 4px; padding: .2rem .6rem; }
  button.danger { border-color: #d9a19b; color: #8c1d13; }
  #sign-in { max-width: 36rem; margin: 3rem auto; }
  #sign-in textarea { width: 100%; height: 6rem; font-family: monospace; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>FoodHub Sync — queues</h1>
  <span id="status" class="badge" data-testid="status"></span>
  <span id="who" class="muted"></span>
  <button id="sign-out" hidden>Sign out</button>
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
  <section><h2>Queues</h2>
    <table><thead><tr><th>Queue</th><th>State</th><th class="num">Waiting</th><th class="num">In flight</th>
      <th class="num">Delayed</th><th class="num">Failed</th><th class="num">Oldest wait</th>
      <th class="num">Processed 1m / 1h</th><th class="num">Failed 1h</th><th class="num">Workers</th></tr></thead>
      <tbody id="overview"></tbody></table>
  </section>
  <div class="charts">
    <section><h2>Throughput (jobs / minute, last hour)</h2><div class="chart"><canvas id="throughput"></canvas></div></section>
    <section><h2>Runtime p50 / p95 (ms, last hour)</h2><div class="chart"><canvas id="runtime"></canvas></div></section>
  </div>
  <section><h2>Failed jobs <span id="failed-total" class="muted"></span></h2>
    <table><thead><tr><th>Job</th><th>Queue</th><th>Restaurant</th><th>Reason</th><th>Error</th><th>Failed at</th><th></th></tr></thead>
      <tbody id="failed"></tbody></table>
  </section>
  <section><h2>Pending entries</h2>
    <table><thead><tr><th>Job</th><th>Queue</th><th>Restaurant</th><th>Consumer</th><th class="num">Idle</th>
      <th class="num">Deliveries</th><th>Stalled</th></tr></thead><tbody id="pending"></tbody></table>
  </section>
  <section><h2>Workers</h2>
    <table><thead><tr><th>Worker</th><th>Host / pid</th><th>State</th><th class="num">Heartbeat</th><th>Queues</th>
      <th class="num">Concurrency</th><th class="num">In flight</th></tr></thead><tbody id="workers"></tbody></table>
  </section>
</main>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;
