/**
 * How `weir compare` writes times, durations and values for people (the terminal table and the
 * HTML report share these). Times are UTC; a window is `start – end`, with the date only when the
 * windows span more than one day.
 */
import type { WindowSpec } from '../../planner/logical/plan.js';
import type { CompareReport, WindowComparison } from './report.js';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2024-01-01 12:00:05` (milliseconds only when there are some). */
export function formatTimestamp(ms: number | null, withDate = true): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const s = iso(ms);
  const time = s.slice(11, 23).replace(/\.000$/, '');
  return withDate ? `${s.slice(0, 10)} ${time}` : time;
}

/** True when every window starts and ends on one day: the table can leave the date out. */
export function oneDay(r: CompareReport): string | undefined {
  const days = new Set<string>();
  for (const w of r.windows) {
    for (const t of [w.windowStart, w.windowEnd === null ? null : w.windowEnd - 1]) if (t !== null) days.add(iso(t).slice(0, 10));
  }
  return days.size === 1 ? [...days][0] : undefined;
}

export function formatWindow(w: WindowComparison, withDate: boolean): string {
  return `${formatTimestamp(w.windowStart, withDate)} – ${formatTimestamp(w.windowEnd, false)}`;
}

/** `850 ms`, `4 s`, `1.5 s`, `2 min 5 s`, `1 h 2 min`; `–` for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${Number((a / 1000).toFixed(3))} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${sign}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** The compared window in human units: `TUMBLE(size 10 s)`, `HOP(slide 5 s, size 1 min)`. */
export function describeWindowSpec(w: WindowSpec): string {
  const offset = 'offsetMs' in w && w.offsetMs ? `, offset ${formatDuration(w.offsetMs)}` : '';
  switch (w.kind) {
    case 'tumble': return `TUMBLE(size ${formatDuration(w.sizeMs)}${offset})`;
    case 'hop': return `HOP(slide ${formatDuration(w.slideMs)}, size ${formatDuration(w.sizeMs)}${offset})`;
    case 'cumulate': return `CUMULATE(step ${formatDuration(w.stepMs)}, size ${formatDuration(w.sizeMs)}${offset})`;
    case 'session': return `SESSION(gap ${formatDuration(w.gapMs)}${w.partitionBy.length ? ', partitioned' : ''})`;
  }
}

/**
 * A window's "final after" cell. A window the end of the input closed may have closed before its
 * end (the input ran out first): that is no delay, so it reads `input ended 7 s before its end`
 * rather than a bare negative figure. A negative delay of a window the watermark closed means rows
 * arrived ahead of their event time (see the report's note), marked `early`.
 */
export function formatDelay(ms: number | null, closedBy: 'watermark' | 'end-of-input' | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (closedBy === 'end-of-input') return ms < 0 ? `input ended ${formatDuration(-ms)} before its end` : `${formatDuration(ms)} (end)`;
  return ms < 0 ? `${formatDuration(-ms)} early` : formatDuration(ms);
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  if (Array.isArray(v)) return v.map(formatValue).join(' | ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A window's result in one run: `n=3 total=12`, or `–` when the run had no such window. */
export function formatResult(r: Readonly<Record<string, unknown>> | null): string {
  if (r === null) return '–';
  const entries = Object.entries(r);
  if (entries.length === 1) return formatValue(entries[0]![1]);
  return entries.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
}

export function formatKeys(keys: Readonly<Record<string, unknown>>): string {
  return Object.values(keys).map(formatValue).join(', ');
}

export function describeArrival(r: CompareReport): string {
  const a = r.arrival;
  if (a.kind === 'column') return `arrival time from column '${a.column}'`;
  const rate = Number(a.rowsPerSecond.toPrecision(4));
  return `${rate} row${rate === 1 ? '' : 's'}/s in file order${a.defaulted ? ' (the input\'s average event rate; set it with --rate)' : ''}`;
}
