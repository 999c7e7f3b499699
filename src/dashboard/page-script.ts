/**
 * The page's script (served as /assets/dashboard.js): it opens /events, keeps each query's points,
 * and draws them with uPlot, redrawing at most four times a second however fast batches run. What
 * it holds is on `window.__weir` (queries by run id, with their points and charts), which the
 * browser tests read. Plain ES2017 without template literals, so it sits in a TS string as it is.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var MAX_POINTS = 600, MAX_BATCHES = 20, REDRAW_MS = 250;
  var token = new URLSearchParams(location.search).get('token');
  var tokenQuery = token ? '?token=' + encodeURIComponent(token) : '';
  var COLORS = ['#2f6db5', '#d9822b', '#2e9d57', '#c2410c', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f'];
  var weir = { queries: {}, order: [], events: 0, connected: false, redraws: 0,
    chartData: function (runId, key) { var q = weir.queries[runId]; var c = q && q.charts[key]; return c ? c.data : null; } };
  window.__weir = weir;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function num(x) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    var a = Math.abs(x);
    if (a >= 1e9) return (x / 1e9).toFixed(2) + ' G';
    if (a >= 1e6) return (x / 1e6).toFixed(2) + ' M';
    if (a >= 1e4) return (x / 1e3).toFixed(1) + ' k';
    return a >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(2);
  }
  function bytes(x) {
    if (x === null || x === undefined) return '–';
    var units = ['B', 'KiB', 'MiB', 'GiB']; var i = 0;
    while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
    return (i === 0 ? String(x) : x.toFixed(1)) + ' ' + units[i];
  }
  function instant(s) { return s === null || s === undefined ? '–' : new Date(s * 1000).toISOString().replace('T', ' ').replace('Z', ''); }
  function secs(x) { return x === null || x === undefined ? '–' : (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) + ' s'; }

  /** The charts: each a title and its series (label, value of a point); per-operator ones depend on the query. */
  function chartSpecs(q) {
    var ops = q.operatorNames;
    var perOp = function (f) { return ops.map(function (name, i) { return [name, function (p) { var o = p.operators[i]; return o ? f(o) : null; }]; }); };
    var specs = [
      { key: 'rates', title: 'Rows per second', series: [['input', function (p) { return p.inputRate; }], ['processed', function (p) { return p.processedRate; }]] },
      { key: 'duration', title: 'Batch duration by phase (s)', series: ['latestOffset', 'getBatch', 'addBatch', 'commit', 'checkpoint', 'total'].map(function (k) {
        return [k, function (p) { return p.duration[k]; }]; }) },
      { key: 'watermarkLag', title: 'Watermark lag (s)', series: [['behind newest event time', function (p) { return p.lagEventTime; }],
        ['behind the clock', function (p) { return p.lagClock; }]] },
      { key: 'inputRows', title: 'Rows per batch', series: [['input rows', function (p) { return p.inputRows; }], ['output rows', function (p) { return p.outputRows; }]] },
      { key: 'lateRejected', title: 'Late rows dropped and rejected records per batch', series: [['late rows', function (p) { return p.lateRows; }],
        ['rejected records', function (p) { return p.rejected; }]] }
    ];
    if (ops.length > 0) {
      specs.push({ key: 'stateRows', title: 'State rows per operator', series: perOp(function (o) { return o.rows; }) });
      specs.push({ key: 'stateBytes', title: 'State bytes per operator', series: perOp(function (o) { return o.bytes; }) });
    }
    if (q.hasWindows) specs.push({ key: 'openWindows', title: 'Open windows per operator', series: perOp(function (o) { return o.openWindows; }) });
    return specs;
  }

  function operatorLabel(q, i, name) { var id = q.view.plan.stateOperatorIds[i]; return (id === undefined ? i : id) + ' ' + name; }

  function ensureQuery(view) {
    var q = weir.queries[view.runId];
    if (!q) {
      q = { view: view, points: [], batches: [], charts: {}, specKey: '', operatorNames: [], hasWindows: false, dom: null, dirty: true };
      weir.queries[view.runId] = q;
      weir.order.push(view.runId);
      buildCard(q);
    }
    q.view = view;
    // a snapshot brings the history; a 'query' event (started, ended) only the summary
    if (view.points) { q.points = view.points.slice(-MAX_POINTS); q.batches = view.batches.slice(-MAX_BATCHES); }
    q.dirty = true;
    return q;
  }

  function buildCard(q) {
    var d = {};
    d.root = el('section', 'query');
    d.root.setAttribute('data-run-id', q.view.runId);
    var h = el('h2');
    d.name = el('span', 'name', q.view.name);
    d.state = el('span', 'badge');
    h.appendChild(d.name); h.appendChild(d.state); d.root.appendChild(h);
    d.root.appendChild(el('div', 'ids', 'id ' + q.view.id + ' · run ' + q.view.runId));
    d.status = el('div', 'status'); d.root.appendChild(d.status);
    d.error = el('div', 'error'); d.error.setAttribute('role', 'alert'); d.error.hidden = true; d.root.appendChild(d.error);
    d.kpis = el('div', 'kpis'); d.root.appendChild(d.kpis);
    d.charts = el('div', 'charts'); d.root.appendChild(d.charts);
    d.root.appendChild(el('h3', null, 'Streaming plan'));
    d.plan = el('div', 'plan'); d.root.appendChild(d.plan);
    d.sourcesTitle = el('h3', null, 'Inputs'); d.root.appendChild(d.sourcesTitle);
    d.sources = el('table', 'sources'); d.root.appendChild(d.sources);
    d.root.appendChild(el('h3', null, 'Last batches'));
    d.batches = el('table', 'batches'); d.root.appendChild(d.batches);
    var det = el('details'); det.appendChild(el('summary', null, 'EXPLAIN'));
    d.explain = el('pre', 'explain'); det.appendChild(d.explain); d.root.appendChild(det);
    q.dom = d;
    var empty = document.getElementById('empty'); if (empty) empty.remove();
    document.getElementById('queries').appendChild(d.root);
  }

  function kpi(parent, label, value) {
    var k = el('div', 'kpi'); k.appendChild(el('div', 'label', label)); k.appendChild(el('div', 'value', value)); parent.appendChild(k);
  }

  function renderSummary(q) {
    var v = q.view, d = q.dom, last = q.points[q.points.length - 1];
    d.state.textContent = v.state; d.state.className = 'badge state-' + v.state;
    d.status.textContent = v.status;
    d.error.hidden = !v.error; d.error.textContent = v.error || '';
    d.kpis.textContent = '';
    var t = v.totals;
    kpi(d.kpis, 'batches', num(t.batches));
    kpi(d.kpis, 'rows in', num(t.inputRows));
    kpi(d.kpis, 'rows out', num(t.outputRows));
    kpi(d.kpis, 'input rows/s', num(last && last.inputRate));
    kpi(d.kpis, 'processed rows/s', num(last && last.processedRate));
    kpi(d.kpis, 'batch duration', secs(last && last.duration.total));
    kpi(d.kpis, 'watermark', last ? (last.watermarkFinal ? '+∞ (inputs ended)' : instant(last.watermark)) : '–');
    kpi(d.kpis, 'lag behind events', secs(last && last.lagEventTime));
    kpi(d.kpis, 'lag behind clock', secs(last && last.lagClock));
    kpi(d.kpis, 'late rows dropped', num(t.lateRows.reduce(function (a, b) { return a + (b || 0); }, 0)));
    kpi(d.kpis, 'rejected records', num(t.rejected));
    if (last) last.operators.forEach(function (o, i) {
      if (o.openWindows === null) return;
      kpi(d.kpis, 'open windows · ' + operatorLabel(q, i, o.name), num(o.openWindows) + (o.oldestOpenWindowEnd !== null ? ' (oldest ends ' + instant(o.oldestOpenWindowEnd) + ')' : ''));
    });
    d.explain.textContent = v.explain;
  }

  function renderPlan(q) {
    var v = q.view, d = q.dom, last = q.points[q.points.length - 1], nodes = v.plan.nodes;
    d.plan.textContent = '';
    if (nodes.length === 0) { d.plan.appendChild(el('span', 'muted', 'plan not known yet')); return; }
    var items = {}, childLists = {};
    var top = el('ul'); d.plan.appendChild(top);
    var sinkLi = el('li'); top.appendChild(sinkLi);
    var sink = el('div', 'plan-node sink'); sink.setAttribute('data-node', 'Sink');
    sink.appendChild(el('div', 'name', 'Sink'));
    sink.appendChild(el('div', 'counts', 'rows out: ' + num(last && last.outputRows) + ' last batch · ' + num(v.totals.outputRows) + ' total'));
    sinkLi.appendChild(sink);
    var sinkChildren = el('ul'); sinkLi.appendChild(sinkChildren);
    nodes.forEach(function (n) {
      var li = el('li');
      var box = el('div', 'plan-node');
      box.setAttribute('data-node', n.name);
      box.appendChild(el('div', 'name', n.name + (n.operatorId !== undefined ? ' [operator ' + n.operatorId + ']' : '') + (n.sourceIndex !== undefined ? ' [source ' + n.sourceIndex + ']' : '')));
      var detail = el('div', 'detail', n.text); detail.title = n.text; box.appendChild(detail);
      var counts = null;
      if (n.operatorId !== undefined) {
        box.classList.add('stateful');
        box.setAttribute('data-operator-id', String(n.operatorId));
        var i = v.plan.stateOperatorIds.indexOf(n.operatorId), o = last && last.operators[i];
        if (o) counts = 'state rows: ' + num(o.rows) + ' · updated: ' + num(o.rowsUpdated) + ' · ' + bytes(o.bytes) + (o.diskBytes !== null ? ' (' + bytes(o.diskBytes) + ' on disk)' : '') + ' · late: ' + num(v.totals.lateRows[i] || 0)
          + (o.openWindows !== null ? ' · open windows: ' + num(o.openWindows) : '');
      }
      if (n.sourceIndex !== undefined) {
        box.classList.add('source');
        var s = last && last.sources[n.sourceIndex];
        if (s) counts = 'rows in: ' + num(s.rows) + ' last batch · ' + num(s.inputRate) + ' rows/s' + (s.watermark !== null ? ' · watermark ' + instant(s.watermark) : '');
      }
      if (counts) box.appendChild(el('div', 'counts', counts));
      li.appendChild(box);
      var list = n.parent < 0 ? sinkChildren : childLists[n.parent];
      if (!list) { list = el('ul'); items[n.parent].appendChild(list); childLists[n.parent] = list; }
      list.appendChild(li);
      items[n.index] = li;
    });
  }

  function row(table, cells, head) {
    var tr = el('tr');
    cells.forEach(function (c, i) { var td = el(head ? 'th' : 'td', typeof c === 'string' && i > 0 && !head ? 'text' : null, c); tr.appendChild(td); });
    table.appendChild(tr);
  }

  function renderTables(q) {
    var d = q.dom, last = q.points[q.points.length - 1];
    d.batches.textContent = '';
    row(d.batches, ['batch', 'time', 'rows in', 'rows out', 'duration ms', 'watermark', 'late rows', 'rejected'], true);
    q.batches.slice().reverse().forEach(function (b) {
      row(d.batches, [b.batchId, b.timestamp, b.inputRows, b.outputRows, b.durationMs.toFixed(1), b.watermark || '–', b.lateRows, b.rejected]);
    });
    d.sources.textContent = '';
    var srcs = last ? last.sources : [];
    d.sourcesTitle.hidden = d.sources.hidden = srcs.length === 0;
    if (srcs.length === 0) return;
    row(d.sources, ['input', 'rows (last batch)', 'rows/s', 'rejected', 'newest event time', 'watermark'], true);
    srcs.forEach(function (s, i) {
      row(d.sources, [i + ': ' + s.description, s.rows, num(s.inputRate), s.rejected, instant(s.maxEventTime), instant(s.watermark)]);
    });
  }

  function renderCharts(q) {
    var last = q.points[q.points.length - 1];
    var ops = last ? last.operators.map(function (o, i) { return operatorLabel(q, i, o.name); }) : [];
    q.operatorNames = ops;
    q.hasWindows = !!last && last.operators.some(function (o) { return o.openWindows !== null; });
    var specs = chartSpecs(q);
    var specKey = specs.map(function (s) { return s.key + ':' + s.series.length; }).join(',');
    if (specKey !== q.specKey) {
      Object.keys(q.charts).forEach(function (k) { q.charts[k].destroy(); });
      q.charts = {}; q.dom.charts.textContent = ''; q.specKey = specKey;
      specs.forEach(function (s) {
        var box = el('div', 'chart'); box.setAttribute('data-chart', s.key); q.dom.charts.appendChild(box);
        var width = Math.max(360, box.clientWidth - 10);
        var series = [{}].concat(s.series.map(function (sr, i) { return { label: sr[0], stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }; }));
        q.charts[s.key] = new uPlot({ title: s.title, width: width, height: 200, series: series, scales: { x: { time: true } },
          legend: { live: false } }, [[]].concat(s.series.map(function () { return []; })), box);
      });
    }
    specs.forEach(function (s) {
      var xs = q.points.map(function (p) { return p.t; });
      var data = [xs].concat(s.series.map(function (sr) { return q.points.map(function (p) { var y = sr[1](p); return y === undefined ? null : y; }); }));
      q.charts[s.key].setData(data);
    });
  }

  function render() {
    weir.redraws++;
    weir.order.forEach(function (id) {
      var q = weir.queries[id];
      if (!q.dirty) return;
      q.dirty = false;
      renderSummary(q); renderPlan(q); renderTables(q); renderCharts(q);
    });
    var n = weir.order.length, running = weir.order.filter(function (id) { return weir.queries[id].view.state === 'running'; }).length;
    document.getElementById('summary').textContent = n + ' quer' + (n === 1 ? 'y' : 'ies') + ', ' + running + ' running';
  }
  var timer = null;
  function schedule() { if (timer === null) timer = setTimeout(function () { timer = null; render(); }, REDRAW_MS); }

  function connect() {
    var es = new EventSource('events' + tokenQuery);
    var badge = document.getElementById('connection');
    es.onopen = function () { weir.connected = true; badge.textContent = 'live'; badge.className = 'badge badge-on'; };
    es.onerror = function () { weir.connected = false; badge.textContent = 'reconnecting…'; badge.className = 'badge badge-off'; };
    es.addEventListener('snapshot', function (e) {
      weir.events++;
      JSON.parse(e.data).queries.forEach(ensureQuery);
      schedule();
    });
    es.addEventListener('query', function (e) {
      weir.events++;
      var v = JSON.parse(e.data);
      ensureQuery(v);
      schedule();
    });
    es.addEventListener('progress', function (e) {
      weir.events++;
      var m = JSON.parse(e.data);
      var q = weir.queries[m.runId];
      if (!q) return;
      q.points.push(m.point); if (q.points.length > MAX_POINTS) q.points.shift();
      q.batches.push(m.batch); if (q.batches.length > MAX_BATCHES) q.batches.shift();
      q.view.totals = m.totals; q.view.state = m.state; q.view.status = m.status;
      q.dirty = true; schedule();
    });
    es.addEventListener('status', function (e) {
      weir.events++;
      var m = JSON.parse(e.data), q = weir.queries[m.runId];
      if (!q) return;
      q.view.state = m.state; q.view.status = m.status; q.dirty = true; schedule();
    });
  }
  connect();
})();
`;
