/**
 * From two replays to the per-window comparison: each run's final result per window and when it was
 * emitted; for every input row, the windows it fell in by event time and by arrival time (a
 * difference is a moved row) and whether the event-time run's watermark had already closed them
 * when the row was read (a late row, dropped).
 */
import { exprToString } from '../../planner/expr.js';
import type { Analysis } from './analyze.js';
import { describeWindowSpec } from './format.js';
import type { TableInput } from './input.js';
import { plainValue, type Placement } from './probe.js';
import type { ReplayResult } from './replay.js';
import type { CompareReport, CompareSummary, WindowComparison } from './report.js';
import type { Timelines } from './timelines.js';
import { missedWindow, windowsOf, type Bounds, type SessionIndex, type WindowId, type WindowNaming } from './windows.js';

export interface BuildInput {
  readonly analysis: Analysis;
  readonly naming: WindowNaming;
  readonly inputs: readonly TableInput[];
  readonly timelines: Timelines;
  /** per table, per row: placements in the event-time and the processing-time run */
  readonly eventPlacements: readonly Placement[][][];
  readonly processingPlacements: readonly Placement[][][];
  readonly eventRun: ReplayResult;
  readonly processingRun: ReplayResult;
  readonly tickMs: number;
  readonly metric: string | undefined;
}

interface Side {
  rows: Record<string, unknown>[];
  finalAt: number | null;
  afterEnd: boolean;
}

interface Acc {
  readonly w: WindowId;
  readonly event: Side;
  readonly processing: Side;
  movedOut: number;
  movedIn: number;
  late: number;
}

const side = (): Side => ({ rows: [], finalAt: null, afterEnd: false });

function sessionIndex(run: ReplayResult, naming: WindowNaming): SessionIndex {
  const m = new Map<string, Bounds[]>();
  if (naming.spec.kind !== 'session' || !naming.hasBothBounds) return m;
  for (const e of run.emissions) {
    const w = naming.ofResult(e.values);
    const k = naming.resultKeysId(e.values);
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push({ start: w.start!, end: w.end! });
  }
  for (const list of m.values()) list.sort((x, y) => x.start - y.start || x.end - y.end);
  return m;
}

/** Several result rows for one window (grouping keys the query does not output): values become lists. */
function resultOf(rows: readonly Record<string, unknown>[]): Record<string, unknown> | null {
  if (rows.length === 0) return null;
  if (rows.length === 1) return rows[0]!;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(rows[0]!)) out[k] = rows.map((r) => r[k]);
  return out;
}

function closedBy(s: Side): 'watermark' | 'end-of-input' | null {
  return s.finalAt === null ? null : s.afterEnd ? 'end-of-input' : 'watermark';
}

function stats(xs: readonly number[]): { median: number | null; max: number | null } {
  if (xs.length === 0) return { median: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, max: s[s.length - 1]! };
}

export function buildReport(b: BuildInput): CompareReport {
  const { naming } = b;
  const spec = naming.spec;
  const accs = new Map<string, Acc>();
  const acc = (w: WindowId): Acc => {
    let a = accs.get(w.id);
    if (!a) accs.set(w.id, (a = { w, event: side(), processing: side(), movedOut: 0, movedIn: 0, late: 0 }));
    return a;
  };
  const collect = (run: ReplayResult, pick: (a: Acc) => Side): void => {
    for (const e of run.emissions) {
      const s = pick(acc(naming.ofResult(e.values)));
      const row: Record<string, unknown> = {};
      for (const v of naming.valueCols) row[v.name] = plainValue(e.values[v.col]);
      s.rows.push(row);
      s.finalAt = s.finalAt === null ? e.at : Math.max(s.finalAt, e.at);
      s.afterEnd ||= e.afterEnd;
    }
  };
  collect(b.eventRun, (a) => a.event);
  collect(b.processingRun, (a) => a.processing);

  const eventSessions = sessionIndex(b.eventRun, naming);
  const procSessions = sessionIndex(b.processingRun, naming);
  let rowsMoved = 0;
  let lateAttributed = 0;
  b.inputs.forEach((_, ti) => {
    const wms = b.eventRun.watermarkAtRead[ti]!;
    b.eventPlacements[ti]!.forEach((pa, r) => {
      const counts = new Map<string, { w: WindowId; n: number }>();
      const count = (w: WindowId, d: number): void => {
        const c = counts.get(w.id);
        if (c) c.n += d;
        else counts.set(w.id, { w, n: d });
      };
      const wm = wms[r]!;
      for (const p of pa) {
        const ws = windowsOf(spec, p, naming, eventSessions);
        let missed = 0;
        for (const bnd of ws) {
          const w = naming.ofBounds(bnd, p.keys);
          count(w, 1);
          if (wm === wm && missedWindow(spec, p.time, bnd, wm)) { acc(w).late++; missed++; }
        }
        if (ws.length > 0 && missed === ws.length) lateAttributed++;
      }
      for (const p of b.processingPlacements[ti]![r]!) {
        for (const bnd of windowsOf(spec, p, naming, procSessions)) count(naming.ofBounds(bnd, p.keys), -1);
      }
      let moved = false;
      for (const { w, n } of counts.values()) {
        if (n > 0) acc(w).movedOut += n;
        if (n < 0) acc(w).movedIn -= n;
        if (n !== 0) moved = true;
      }
      if (moved) rowsMoved++;
    });
  });

  const windows = [...accs.values()].map((a): WindowComparison => {
    const { start, end } = naming.fullBounds(a.w);
    const ev = resultOf(a.event.rows);
    const pr = resultOf(a.processing.rows);
    const delay = (s: Side): number | null => (s.finalAt !== null && end !== null ? s.finalAt - end : null);
    return {
      windowStart: start,
      windowEnd: end,
      keys: a.w.keys,
      eventTime: ev,
      processingTime: pr,
      same: ev !== null && pr !== null && JSON.stringify(ev) === JSON.stringify(pr),
      rowsMovedOut: a.movedOut,
      rowsMovedIn: a.movedIn,
      lateRows: a.late,
      eventTimeFinalAt: a.event.finalAt,
      processingTimeFinalAt: a.processing.finalAt,
      eventTimeDelayMs: delay(a.event),
      processingTimeDelayMs: delay(a.processing),
      eventTimeClosedBy: closedBy(a.event),
      processingTimeClosedBy: closedBy(a.processing),
    };
  });
  windows.sort((x, y) => (x.windowStart ?? x.windowEnd ?? 0) - (y.windowStart ?? y.windowEnd ?? 0)
    || (x.windowEnd ?? 0) - (y.windowEnd ?? 0)
    || JSON.stringify(x.keys).localeCompare(JSON.stringify(y.keys)));

  const summary: CompareSummary = {
    inputRows: b.inputs.reduce((n, t) => n + t.rows.length, 0),
    rejectedRows: b.inputs.reduce((n, t) => n + t.rejected, 0),
    windows: windows.length,
    eventTimeWindows: windows.filter((w) => w.eventTime !== null).length,
    processingTimeWindows: windows.filter((w) => w.processingTime !== null).length,
    windowsDiffering: windows.filter((w) => !w.same).length,
    rowsMoved,
    lateRows: b.eventRun.droppedLate,
    lateRowsAttributed: lateAttributed,
    eventTimeDelayMs: stats(windows.filter((w) => w.eventTimeClosedBy === 'watermark' && w.eventTimeDelayMs !== null).map((w) => w.eventTimeDelayMs!)),
    // processing-time windows close when a row arrives after their end; those the end of the input closed are left out too
    processingTimeDelayMs: stats(windows.filter((w) => w.processingTimeClosedBy === 'watermark' && w.processingTimeDelayMs !== null).map((w) => w.processingTimeDelayMs!)),
    closedByEndOfInput: windows.filter((w) => w.eventTimeClosedBy === 'end-of-input').length,
  };

  const valueColumns = naming.valueCols.map((v) => v.name);
  const metric = b.metric ?? valueColumns.find((n) => windows.some((w) => typeof w.eventTime?.[n] === 'number' || typeof w.processingTime?.[n] === 'number')) ?? null;
  const notes: string[] = [];
  if (summary.lateRows !== summary.lateRowsAttributed) {
    notes.push(`the engine dropped ${summary.lateRows} late rows; replaying its watermark rule row by row attributes ${summary.lateRowsAttributed}`);
  }
  if (summary.closedByEndOfInput > 0) {
    notes.push(`${summary.closedByEndOfInput} event-time window(s) closed only because the input ended (no later row moved the watermark past them); their delay is left out of the median and max`);
  }
  const early = windows.filter((w) => w.eventTimeClosedBy === 'watermark' && (w.eventTimeDelayMs ?? 0) < 0).length;
  if (early > 0) {
    // the two clocks of one axis: the watermark follows event time, the batches processing (arrival) time
    const why = b.timelines.model.kind === 'rate'
      ? `the replay at ${Number(b.timelines.model.rowsPerSecond.toPrecision(4))} rows/s delivers rows faster than their event time advances, so the watermark runs ahead of the clock (a lower --rate, or the default, the input's own pace, avoids it)`
      : `the arrival column '${b.timelines.model.column}' holds times earlier than the rows' event times`;
    notes.push(`${early} event-time window(s) were final before their end on the processing-time clock ("early"): ${why}`);
  }
  if (spec.kind === 'session' && !naming.hasBothBounds) {
    notes.push('the query does not output both session bounds: rows are placed in [time, time + gap) instead of their merged session');
  }
  const sources = b.inputs.map((t) => {
    const wm = t.table.watermark;
    return {
      table: t.table.name,
      rowtime: wm ? t.table.columns[wm.column]!.name : '',
      // the clause as written, when its text is at hand
      watermark: !wm ? '' : wm.span.length ? b.analysis.text.slice(wm.span.offset, wm.span.offset + wm.span.length) : exprToString(wm.expr),
      rows: t.rows.length,
    };
  });
  const chosen = b.analysis.chosen;
  return {
    file: b.analysis.file,
    query: b.analysis.text.slice(chosen.span.offset, chosen.span.offset + (chosen.span.length ?? 0)),
    window: describeWindowSpec(spec),
    sources,
    arrival: b.timelines.model,
    tickMs: b.tickMs,
    startMs: b.timelines.start,
    endMs: b.eventRun.endMs,
    valueColumns,
    metric,
    windows,
    summary,
    notes,
  };
}
