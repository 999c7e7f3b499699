/**
 * `--report FILE.html`: one self-contained page (inline CSS and SVG, no script, no font or image to
 * fetch) with the comparison's summary, two charts of both time domains per window (the compared
 * value, and how long after the window's end the result was final), and the per-window table.
 * The charts are drawn here as SVG rather than with a chart library: two grouped bar charts need
 * only scales and rectangles, and a library would want a DOM or a script in the page.
 */
import { describeArrival, formatDelay, formatDuration, formatKeys, formatResult, formatTimestamp, formatValue, formatWindow, oneDay } from './format.js';
import type { CompareReport, WindowComparison } from './report.js';


const COLORS = { event: '#1f6fb4', processing: '#e8710a' } as const;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Round steps for a time axis, in ms: 1 ms … 500 ms, then seconds, minutes, hours, days. */
export const DURATION_STEPS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 250, 500,
  1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3,
  3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3,
];

/** About five round tick values covering [lo, hi] (steps from `steps` when given, else 1-2-2.5-5 × 10^n). */
function ticks(lo: number, hi: number, steps?: readonly number[]): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = steps?.find((s) => s >= raw) ?? [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

export interface Series {
  readonly label: string;
  /** one value per category; null: no bar */
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/** A grouped bar chart: one group per category, one bar per series. */
export function barChart(
  title: string, categories: readonly string[], series: readonly Series[], formatTick: (v: number) => string, steps?: readonly number[],
): string {
  // rotated category labels reach left of their bar: more room on the left then
  const rotate = categories.length > 6;
  const W = 960, H = 340, left = rotate ? 110 : 70, right = 20, top = 40, bottom = 80;
  const plotW = W - left - right, plotH = H - top - bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const ys = ticks(Math.min(0, ...all), Math.max(0, ...all, 1e-9), steps);
  const yMin = ys[0]!, yMax = ys[ys.length - 1]!;
  const y = (v: number): number => top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const n = Math.max(1, categories.length);
  const group = plotW / n;
  const barW = Math.max(1, (group * 0.8) / series.length);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<text x="${left}" y="22" class="title">${escapeHtml(title)}</text>`);
  series.forEach((s, i) => {
    const lx = W - right - 330 + i * 170;
    parts.push(`<rect x="${lx}" y="12" width="12" height="12" fill="${s.color}"/><text x="${lx + 17}" y="22" class="legend">${escapeHtml(s.label)}</text>`);
  });
  for (const t of ys) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" class="tick" text-anchor="end">${escapeHtml(formatTick(t))}</text>`);
  }
  const zero = y(0);
  series.forEach((s, si) => {
    s.values.forEach((v, ci) => {
      if (v === null || !Number.isFinite(v)) return;
      const x = left + ci * group + group * 0.1 + si * barW;
      const y0 = Math.min(zero, y(v)), h = Math.max(0.5, Math.abs(y(v) - zero));
      parts.push(`<rect x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}">` +
        `<title>${escapeHtml(`${categories[ci]}: ${s.label} ${formatTick(v)}`)}</title></rect>`);
    });
  });
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${zero.toFixed(1)}" y2="${zero.toFixed(1)}" class="axis"/>`);
  // at most ~16 category labels; rotated when there are more than a few
  const every = Math.max(1, Math.ceil(categories.length / 16));
  categories.forEach((c, ci) => {
    if (ci % every !== 0) return;
    const x = (left + ci * group + group / 2).toFixed(1);
    const ly = top + plotH + 16;
    parts.push(rotate
      ? `<text x="${x}" y="${ly}" class="tick" text-anchor="end" transform="rotate(-35 ${x} ${ly})">${escapeHtml(c)}</text>`
      : `<text x="${x}" y="${ly}" class="tick" text-anchor="middle">${escapeHtml(c)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Per distinct window bounds: the sum over grouping keys of `metric` in each run. */
function metricSeries(r: CompareReport, withDate: boolean): { categories: string[]; event: (number | null)[]; processing: (number | null)[] } {
  const byBounds = new Map<string, { label: string; event: number | null; processing: number | null }>();
  const add = (cur: number | null, v: unknown): number | null => {
    const nums = (Array.isArray(v) ? v : [v]).filter((x): x is number => typeof x === 'number');
    return nums.length === 0 ? cur : (cur ?? 0) + nums.reduce((a, b) => a + b, 0);
  };
  for (const w of r.windows) {
    const k = `${w.windowStart}|${w.windowEnd}`;
    let e = byBounds.get(k);
    if (!e) byBounds.set(k, (e = { label: formatTimestamp(w.windowStart ?? w.windowEnd, withDate).replace(/^\d{4}-/, ''), event: null, processing: null }));
    if (r.metric !== null) {
      e.event = add(e.event, w.eventTime?.[r.metric]);
      e.processing = add(e.processing, w.processingTime?.[r.metric]);
    }
  }
  const list = [...byBounds.values()];
  return { categories: list.map((e) => e.label), event: list.map((e) => e.event), processing: list.map((e) => e.processing) };
}

function windowRow(w: WindowComparison, withDate: boolean, hasKeys: boolean): string {
  const cells = [
    formatWindow(w, withDate),
    ...(hasKeys ? [formatKeys(w.keys)] : []),
    formatResult(w.eventTime), formatResult(w.processingTime),
    String(w.rowsMovedOut), String(w.rowsMovedIn), String(w.lateRows),
    formatDelay(w.eventTimeDelayMs, w.eventTimeClosedBy),
    formatDelay(w.processingTimeDelayMs, w.processingTimeClosedBy),
  ];
  return `<tr${w.same ? '' : ' class="differs"'}>${cells.map((c, i) => `<td${i >= cells.length - 5 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

export function renderHtml(r: CompareReport): string {
  const day = oneDay(r);
  const withDate = day === undefined;
  const keyNames = Object.keys(r.windows[0]?.keys ?? {});
  const hasKeys = keyNames.length > 0;
  const m = metricSeries(r, withDate);
  const metricTitle = r.metric === null ? 'no numeric result column to chart'
    : `${r.metric} per window${hasKeys ? ` (sum over ${keyNames.join(', ')})` : ''}`;
  const chart1 = barChart(metricTitle, m.categories, [
    { label: 'event time', values: m.event, color: COLORS.event },
    { label: 'processing time', values: m.processing, color: COLORS.processing },
  ], (v) => formatValue(v));
  const firstByBounds = new Map<string, WindowComparison[]>();
  for (const w of r.windows) {
    const k = `${w.windowStart}|${w.windowEnd}`;
    firstByBounds.set(k, [...(firstByBounds.get(k) ?? []), w]);
  }
  const maxDelay = (ws: WindowComparison[], f: (w: WindowComparison) => number | null): number | null =>
    ws.reduce<number | null>((a, w) => { const d = f(w); return d === null ? a : a === null ? d : Math.max(a, d); }, null);
  const groups = [...firstByBounds.values()];
  // a window only the end of the input closed has no meaningful delay: no bar
  const chart2 = barChart("result final after the window's end (latest over keys)", m.categories, [
    { label: 'event time', values: groups.map((ws) => maxDelay(ws, (w) => (w.eventTimeClosedBy === 'watermark' ? w.eventTimeDelayMs : null))), color: COLORS.event },
    { label: 'processing time', values: groups.map((ws) => maxDelay(ws, (w) => (w.processingTimeClosedBy === 'watermark' ? w.processingTimeDelayMs : null))), color: COLORS.processing },
  ], (v) => formatDuration(v), DURATION_STEPS);
  const s = r.summary;
  const summary: [string, string][] = [
    ['windows', `${s.windows} (${s.eventTimeWindows} with an event-time result, ${s.processingTimeWindows} with a processing-time result)`],
    ['windows that differ', String(s.windowsDiffering)],
    ['rows in another window by arrival', `${s.rowsMoved} of ${s.inputRows}`],
    ['late rows dropped (event time)', String(s.lateRows)],
    ["final after the window's end, event time", `median ${formatDelay(s.eventTimeDelayMs.median, 'watermark')}, max ${formatDelay(s.eventTimeDelayMs.max, 'watermark')}`],
    ["final after the window's end, processing time", `median ${formatDelay(s.processingTimeDelayMs.median, 'watermark')}, max ${formatDelay(s.processingTimeDelayMs.max, 'watermark')}`],
    ['windows closed only by the end of the input', String(s.closedByEndOfInput)],
  ];
  const header = ['window', ...(hasKeys ? [keyNames.join(', ')] : []), 'event time', 'processing time', 'moved out', 'moved in', 'late',
    'final after (event)', 'final after (proc)'];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>weir compare: ${escapeHtml(r.file)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #1d232a; padding: 0 16px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
pre { background: #f4f6f8; padding: 10px; white-space: pre-wrap; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #dde2e6; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
tr.differs td { background: #fff4e5; }
svg { max-width: 100%; height: auto; }
svg .title { font: bold 14px system-ui, sans-serif; } svg .legend, svg .tick { font: 11px system-ui, sans-serif; fill: #333; }
svg .grid { stroke: #e3e7ea; } svg .axis { stroke: #555; }
.key { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style>
</head>
<body>
<h1>weir compare: ${escapeHtml(r.file)}</h1>
<pre>${escapeHtml(r.query)}</pre>
<p>Window ${escapeHtml(r.window)}. ${r.sources.map((x) => `${x.rows} rows of <b>${escapeHtml(x.table)}</b>${x.rowtime ? ` (event time ${escapeHtml(x.rowtime)}: <code>${escapeHtml(x.watermark)}</code>)` : ''}`).join('; ')}.
Arrival: ${escapeHtml(describeArrival(r))}, one batch every ${escapeHtml(formatDuration(r.tickMs))} of processing time from ${escapeHtml(formatTimestamp(r.startMs))} UTC.
<span class="key" style="background:${COLORS.event}"></span>event time: windows by the rows' own time, closed by the watermark.
<span class="key" style="background:${COLORS.processing}"></span>processing time: windows by arrival.</p>
<h2>Summary</h2>
<table>${summary.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${r.notes.map((n) => `<p>Note: ${escapeHtml(n)}</p>`).join('\n')}
<h2>Per window</h2>
${chart1}
${chart2}
<p>Bars stand at each window's start. Windows closed only by the end of the input have no delay bar.</p>
<table>
<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>
${r.windows.map((w) => windowRow(w, withDate, hasKeys)).join('\n')}
</table>
<p>Times are UTC${day ? `, all on ${escapeHtml(day)}` : ''}. Highlighted rows differ between the two time domains.</p>
</body>
</html>
`;
}
