/**
 * What the stream join and the semi / anti join do alike with one input's rows: drop those late for
 * the time bound, compute their expiry, and check candidate pairs against the residual condition
 * compiled over just the pair columns it reads; and flush, checkpoint, abort and measure the two
 * sides' state. One copy, so both joins decide lateness, expiry and residual matches the same way.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { takeColumns } from '../../../common/take.js';
import type { JoinSideBound } from '../../../planner/incremental/physical.js';
import type { BoundExpr } from '../../../planner/expr.js';
import { columnsUsed, remapColumns } from '../../../planner/expr.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext } from '../operator.js';
import { timesOf } from '../window/assign-windows.js';
import type { LateRows } from '../window/late-rows.js';
import { decodeColumn } from '../window/row-keys.js';
import type { JoinSideState, RowRef } from './join-state.js';

export type Kernel = (b: arrow.RecordBatch) => arrow.Data;

/**
 * The rest of the join condition, compiled over just the pair columns it reads (`left` of the left
 * side's, then `right` of the right side's): candidates are checked on those, and only the pairs
 * that match are built whole (q9's pairs carry an auction's long text columns).
 */
export interface ResidualSpec {
  readonly kernel: Kernel;
  readonly schema: arrow.Schema;
  readonly left: readonly number[];
  readonly right: readonly number[];
}

/** The residual compiled over only the pair columns (`schema`: left's then right's) it reads, and which columns of each side those are. */
export function narrowResidual(residual: BoundExpr, schema: Schema, leftWidth: number, ctx: ExprContext): ResidualSpec {
  const used = [...columnsUsed(residual)].sort((a, b) => a - b);
  const narrow: Schema = { columns: used.map((i) => schema.columns[i]!) };
  const kernel = compileExpr(remapColumns(residual, (i) => used.indexOf(i)), narrow, ctx);
  return {
    kernel, schema: toArrowSchema(narrow),
    left: used.filter((i) => i < leftWidth), right: used.filter((i) => i >= leftWidth).map((i) => i - leftWidth),
  };
}

/** The candidate pairs with just the columns the residual reads: rows `probe` of chunk `b` on side `input`, rows `cands` of the other side's state. */
export function residualBatch(r: ResidualSpec, input: number, b: arrow.RecordBatch, probe: Uint32Array,
  theirState: JoinSideState, cands: readonly RowRef[]): arrow.RecordBatch {
  const [mineCols, theirCols] = input === 0 ? [r.left, r.right] : [r.right, r.left];
  if (mineCols.length + theirCols.length === 0) {
    // a residual that reads no column (`WHERE COALESCE(0, 0) < 1` pushed into the join): arrow-js
    // counts a batch's rows from its columns, so one all-null column keeps the pairs' count
    const filler = arrow.makeData({ type: new arrow.Null(), length: probe.length, nullCount: probe.length });
    return batchFromColumns(new arrow.Schema([new arrow.Field('__pairs', new arrow.Null(), true)]), [filler], probe.length);
  }
  const mine = takeColumns(mineCols.map((c) => b.data.children[c]!), probe);
  const theirs = theirState.takeColumns(cands, theirCols);
  return batchFromColumns(r.schema, input === 0 ? [...mine, ...theirs] : [...theirs, ...mine], probe.length);
}

/**
 * Rows of one side that are late for its time bound (1 = accepted; undefined: none is checked), the
 * late ones handed to `late`; `dropped` counts them. A chained check compares with the watermark
 * before this batch's.
 */
export function lateRowsOf(bound: JoinSideBound | undefined, late: LateRows, b: arrow.RecordBatch, ctx: BatchContext,
  previousWatermark: number): { accepted: Uint8Array | undefined; dropped: number } {
  const checks = bound?.lateness ?? [];
  if (checks.length === 0) return { accepted: undefined, dropped: 0 };
  const n = b.numRows;
  const accepted = new Uint8Array(n).fill(1);
  let times: Float64Array | undefined;
  let threshold = -Infinity;
  for (const c of checks) {
    const wm = c.chained ? previousWatermark : ctx.watermark;
    const t = timesOf(b.data.children[c.column]!);
    for (let i = 0; i < n; i++) if (t[i]! < wm) accepted[i] = 0;
    if (!times) { times = t; threshold = wm; }
  }
  let dropped = 0;
  for (let i = 0; i < n; i++) dropped += 1 - accepted[i]!;
  late.collect(b, times!, accepted, threshold, ctx);
  return { accepted, dropped };
}

/** Per row: the least of its expiry values (NULL: it can never match, -∞); undefined when the side has none. */
export function rowExpiries(expiry: readonly Kernel[], b: arrow.RecordBatch): Float64Array | undefined {
  if (expiry.length === 0) return undefined;
  const n = b.numRows;
  const out = new Float64Array(n).fill(Infinity);
  for (const k of expiry) {
    const vals = decodeColumn(k(b));
    for (let i = 0; i < n; i++) {
      const v = vals[i];
      const x = v === null || v === undefined ? -Infinity : (v as number);
      if (x < out[i]!) out[i] = x;
    }
  }
  return out;
}

/** What both joins keep of each input: its stored rows and its late rows. */
export interface StoredSide {
  readonly state: JoinSideState;
  readonly late: LateRows;
}

/** Both joins' operator lifecycle over their two sides' state (Operator's hasTimerWork / flushState / checkpoint / abort). */
export const joinSides = {
  hasTimerWork: (sides: readonly StoredSide[], watermark: number): boolean => sides.some((s) => s.state.nextExpiry() < watermark),
  flush(sides: readonly StoredSide[]): void {
    for (const s of sides) s.state.flush();
  },
  async checkpoint(sides: readonly StoredSide[], version: number): Promise<void> {
    for (const s of sides) await s.late.flush(version);
  },
  /** the batch in progress is dropped: each side's state back to its last flush, its late rows forgotten */
  abort(sides: readonly StoredSide[]): void {
    for (const s of sides) {
      s.state.rebuild();
      s.late.discard();
    }
  },
  /** the rows both sides hold (StateOperatorProgress numRowsTotal) */
  rows: (sides: readonly StoredSide[]): number => sides.reduce((n, s) => n + s.state.size, 0),
  /** the bytes both sides' state holds (StateOperatorProgress memoryUsedBytes) */
  bytes: (sides: readonly StoredSide[]): number => sides.reduce((n, s) => n + s.state.memoryBytes, 0),
};
