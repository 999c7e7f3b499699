/**
 * The aggregates of OVER frames over a partition's rows in order: each row's frame is the rows
 * before it that the frame reaches and the row itself (RANGE frames: and its peers, the rows with
 * the same time). Shared by both forms of the OVER operator (over-aggregate.ts).
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import { WeirError } from '../../../common/errors.js';
import type { Schema } from '../../../common/schema.js';
import { isInteger } from '../../../common/types.js';
import { exprForUser } from '../../../planner/expr.js';
import type { AggregateCall, OverFrame } from '../../../planner/logical/plan.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { AccState, Accumulator } from '../aggregate/accumulators.js';
import { ACCUMULATORS, APPEND_ONLY_ACCUMULATORS, listaggWith, decimalAvg, finishValue, INTEGER_ACCUMULATORS, OverflowResult } from '../aggregate/accumulators.js';

/** A row's argument to a call that it does not feed (NULL, or its FILTER is not TRUE). */
export const SKIP: unique symbol = Symbol('skip');

/** One row held by the operator: its arrival number, time, row string (row-codec.ts) and call arguments. */
export interface OverRow {
  readonly seq: number;
  readonly time: number;
  readonly text: string;
  readonly args: readonly unknown[];
}

/** The calls of one OVER window, compiled: argument readers and accumulators. */
export class OverFunctions {
  private readonly argKernels: (((b: arrow.RecordBatch) => arrow.Data) | undefined)[];
  private readonly filterKernels: (((b: arrow.RecordBatch) => arrow.Data) | undefined)[];
  /** UNBOUNDED frames only ever add: MIN/MAX keep their running value only */
  readonly accs: Accumulator[];
  /** bounded frames slide: rows enter and leave (retractable forms) */
  private readonly sliding: Accumulator[];
  /**
   * Whether every call can slide (take a row back in any order): FIRST_VALUE, LAST_VALUE and LISTAGG
   * depend on the order of what they hold, so their frames are recomputed row by row instead.
   */
  readonly slidable: boolean;

  constructor(private readonly calls: readonly AggregateCall[], input: Schema, ctx: ExprContext) {
    this.argKernels = calls.map((c) => (c.arg ? compileExpr(c.arg, input, ctx) : undefined));
    this.filterKernels = calls.map((c) => (c.filter ? compileExpr(c.filter, input, ctx) : undefined));
    const base = (c: AggregateCall): Accumulator => {
      const t = c.arg?.type;
      if (c.fn === 'listagg' && c.separator !== undefined) return listaggWith(c.separator);
      if (t?.kind === 'DECIMAL' && c.fn === 'avg') return decimalAvg(t.scale, c.type.kind === 'DECIMAL' ? c.type.scale : t.scale);
      return (t && (isInteger(t) || t.kind === 'DECIMAL') ? INTEGER_ACCUMULATORS[c.fn] : undefined) ?? ACCUMULATORS[c.fn];
    };
    this.accs = calls.map((c) => APPEND_ONLY_ACCUMULATORS[c.fn] ?? base(c));
    this.sliding = calls.map(base);
    this.slidable = calls.every((c) => c.fn !== 'first_value' && c.fn !== 'last_value' && c.fn !== 'listagg');
  }

  initSliding(): AccState[] {
    return this.sliding.map((a) => a.init());
  }

  /** A row enters (`sign` 1) or leaves (-1) a sliding frame's accumulators. */
  slide(accs: AccState[], row: OverRow, sign: 1 | -1): void {
    for (let c = 0; c < accs.length; c++) {
      const v = row.args[c];
      if (v === SKIP) continue;
      if (sign === 1) this.sliding[c]!.add(accs[c]!, v);
      else this.sliding[c]!.retract(accs[c]!, v);
    }
  }

  slidingResults(accs: readonly AccState[]): unknown[] {
    return this.finish(accs, this.sliding);
  }

  /** Each call's argument of every row of a batch (SKIP where the row does not feed the call). */
  argsOf(b: arrow.RecordBatch): unknown[][] {
    const n = b.numRows;
    const args = this.argKernels.map((k) => (k ? readerFor(k(b)) : undefined));
    const filters = this.filterKernels.map((k) => (k ? readerFor(k(b)) : undefined));
    const out: unknown[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const row = new Array(this.calls.length);
      for (let c = 0; c < row.length; c++) {
        const f = filters[c];
        const v = f && f(i) !== true ? SKIP : args[c] ? args[c]!(i) : 1;
        row[c] = v === null ? SKIP : v;
      }
      out[i] = row;
    }
    return out;
  }

  init(): AccState[] {
    return this.accs.map((a) => a.init());
  }

  add(accs: AccState[], row: OverRow): void {
    for (let c = 0; c < accs.length; c++) {
      const v = row.args[c];
      if (v !== SKIP) this.accs[c]!.add(accs[c]!, v);
    }
  }

  results(accs: readonly AccState[]): unknown[] {
    return this.finish(accs, this.accs);
  }

  private finish(accs: readonly AccState[], fns: readonly Accumulator[]): unknown[] {
    return accs.map((s, c) => {
      try {
        return finishValue(fns[c]!.result(s), this.calls[c]!.type);
      } catch (e) {
        if (!(e instanceof OverflowResult)) throw e;
        const call = this.calls[c]!;
        throw new WeirError('RUNTIME', `${call.fn.toUpperCase()}(${call.arg ? exprForUser(call.arg) : '*'}) OVER (...) = ${e.message}`);
      }
    });
  }
}

/**
 * The results of rows `from`.. of `rows` (in order: time, then arrival or row), whose frames may
 * reach back into the rows before `from`. `running`: the accumulators of an UNBOUNDED frame over
 * the rows before `from` (updated in place); bounded frames recompute each row's frame.
 */
export function frameResults(rows: readonly OverRow[], from: number, frame: OverFrame, fns: OverFunctions, running?: AccState[]): unknown[][] {
  const out: unknown[][] = [];
  const n = rows.length;
  if (frame.preceding === Infinity) {
    const accs = running ?? fns.init();
    for (let i = from; i < n;) {
      // RANGE: the row's peers (same time) are in its frame; ROWS: the row alone
      let end = i + 1;
      if (frame.unit === 'RANGE') while (end < n && rows[end]!.time === rows[i]!.time) end++;
      for (let j = i; j < end; j++) fns.add(accs, rows[j]!);
      const r = fns.results(accs);
      for (let j = i; j < end; j++) out.push(r);
      i = end;
    }
    return out;
  }
  if (fns.slidable) return slidingResults(rows, from, frame, fns);
  let lo = 0;
  for (let i = from; i < n;) {
    const t = rows[i]!.time;
    let end = i + 1;
    if (frame.unit === 'RANGE') {
      while (end < n && rows[end]!.time === t) end++;
      while (rows[lo]!.time < t - frame.preceding) lo++;
    } else lo = Math.max(0, i - frame.preceding);
    const accs = fns.init();
    for (let j = lo; j < end; j++) fns.add(accs, rows[j]!);
    const r = fns.results(accs);
    if (frame.unit === 'RANGE') {
      for (let j = i; j < end; j++) out.push(r);
      i = end;
    } else {
      out.push(r);
      i++;
    }
  }
  return out;
}

/** The frame [lo, end) of the row at `i` (RANGE: end past its peers), lo at least `lo` (frames only move forward). */
function frameOf(rows: readonly OverRow[], i: number, frame: OverFrame, lo: number): [number, number] {
  const n = rows.length;
  const t = rows[i]!.time;
  if (frame.unit === 'ROWS') return [Math.max(0, i - frame.preceding), i + 1];
  let end = i + 1;
  while (end < n && rows[end]!.time === t) end++;
  while (rows[lo]!.time < t - frame.preceding) lo++;
  return [lo, end];
}

/** Bounded frames by sliding: each row enters the accumulators once and leaves once. */
function slidingResults(rows: readonly OverRow[], from: number, frame: OverFrame, fns: OverFunctions): unknown[][] {
  const out: unknown[][] = [];
  const n = rows.length;
  const accs = fns.initSliding();
  let curLo = -1, curEnd = -1;
  for (let i = from; i < n;) {
    const [lo, end] = frameOf(rows, i, frame, Math.max(0, curLo));
    if (curLo < 0) { curLo = lo; curEnd = lo; }
    while (curEnd < end) fns.slide(accs, rows[curEnd++]!, 1);
    while (curLo < lo) fns.slide(accs, rows[curLo++]!, -1);
    const r = fns.slidingResults(accs);
    const last = frame.unit === 'RANGE' ? end : i + 1; // RANGE: the peers share the result
    for (let j = i; j < last; j++) out.push(r);
    i = last;
  }
  return out;
}

/** The rows of `rows` (in order) that a later row's frame can still reach. */
export function stillInFrame(rows: readonly OverRow[], frame: OverFrame): OverRow[] {
  if (frame.preceding === Infinity || rows.length === 0) return [];
  if (frame.unit === 'ROWS') return rows.slice(Math.max(0, rows.length - frame.preceding));
  // later rows are later in time than the last one here: a frame reaches back `preceding` from at least its time
  const last = rows[rows.length - 1]!.time;
  return rows.filter((r) => r.time >= last - frame.preceding);
}

/** Rows in time order, ties by arrival (the watermark and processing forms). */
export function byTimeThenSeq(a: OverRow, b: OverRow): number {
  return a.time - b.time || a.seq - b.seq;
}

/** Rows in time order, ties by row (the updating form: an order whatever the arrivals). */
export function byTimeThenText(a: OverRow, b: OverRow): number {
  return a.time - b.time || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

/** The first position in `rows` (time then text order) not before `row`. */
export function lowerBound(rows: readonly OverRow[], row: OverRow): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byTimeThenText(rows[mid]!, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions of `keys` beyond their count in `other` (a multiset difference). */
export function notIn(keys: readonly string[], other: readonly string[]): number[] {
  const count = new Map<string, number>();
  for (const k of other) count.set(k, (count.get(k) ?? 0) + 1);
  const out: number[] = [];
  keys.forEach((k, i) => {
    const c = count.get(k) ?? 0;
    if (c > 0) count.set(k, c - 1);
    else out.push(i);
  });
  return out;
}
