/**
 * The dashboard page: static HTML and CSS kept as strings in the package, so the page is served
 * from what npm installs (no build step, nothing fetched from the internet). Its script is
 * page-script.ts; the charts are uPlot's, served from node_modules/uplot.
 */

/**
 * The page. `query` ('' or `?token=…`, URI-encoded) goes on the asset addresses, so that a dashboard
 * with a token serves nothing without it.
 */
export const dashboardHtml = (query: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weir dashboard</title>
<link rel="stylesheet" href="assets/uPlot.min.css${query}">
<link rel="stylesheet" href="assets/dashboard.css${query}">
</head>
<body>
<header>
  <h1>Weir</h1>
  <span id="connection" class="badge badge-off">connecting…</span>
  <span id="summary"></span>
</header>
<main id="queries"><p id="empty" class="muted">No query has started yet.</p></main>
<script src="assets/uPlot.iife.min.js${query}"></script>
<script src="assets/dashboard.js${query}"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --fg: #1d232b; --muted: #66707c; --line: #d8dde3; --bg: #f5f7f9; --card: #fff; --ok: #1f7a3a; --bad: #b42318; --warn: #a15c00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: #17202b; color: #fff; }
header h1 { font-size: 18px; margin: 0; letter-spacing: .5px; }
#summary { color: #c5ccd5; }
main { padding: 16px 20px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge-on, .state-running { background: #d7f2df; color: var(--ok); }
.badge-off, .state-stopped { background: #e4e7eb; color: #3c4652; }
.state-failed { background: #fde2df; color: var(--bad); }
.query { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 20px; }
.query > h2 { font-size: 16px; margin: 0 0 4px; display: flex; gap: 10px; align-items: center; }
.query .ids { font-size: 12px; color: var(--muted); }
.status { margin: 6px 0; color: var(--muted); }
.error { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; background: #fff4f2; color: var(--bad);
  border: 1px solid #f3b8b0; border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 10px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
.kpi .label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; }
.kpi .value { font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; word-break: break-all; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; margin: 12px 0; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 4px; min-height: 230px; }
h3 { font-size: 13px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .4px; color: #3c4652; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; }
.plan ul { list-style: none; margin: 0; padding-left: 22px; border-left: 1px dashed #b8c0ca; }
.plan > ul { border-left: none; padding-left: 0; }
.plan li { position: relative; margin: 6px 0; }
.plan ul ul > li::before { content: ""; position: absolute; left: -22px; top: 14px; width: 18px; border-top: 1px dashed #b8c0ca; }
.plan-node { display: inline-block; border: 1px solid #9fb3c8; background: #f0f5fa; border-radius: 6px; padding: 4px 8px; max-width: 100%; }
.plan-node.stateful { border-color: #c08a2b; background: #fff7e8; }
.plan-node.source { border-color: #3f8f5a; background: #edf8f0; }
.plan-node.sink { border-color: #6b5ca5; background: #f3f0fb; }
.plan-node .name { font-weight: 600; }
.plan-node .detail { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; color: var(--muted); overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; max-width: 760px; }
.plan-node .counts { font-size: 12px; color: #1d4f7a; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: var(--muted); }
pre.explain { font-size: 11px; overflow-x: auto; background: #f7f8fa; padding: 8px; border-radius: 6px; }
`;
