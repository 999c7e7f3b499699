/**
 * Window aggregation for TUMBLE, HOP and CUMULATE: state per (window, key).
 *
 * A batch assigns its rows to windows over the time column's typed array; rows of windows that are
 * already closed (window_end ≤ the batch's watermark) are late and dropped, and counted. At the end
 * of the batch the changed groups are saved; then every window the watermark has closed is final:
 * in append mode its rows are emitted now (once) and its state dropped; in update mode the changed
 * groups were emitted as they changed and a closed window's state is dropped; in complete mode every
 * window is emitted each batch and kept.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import type { WindowAggregateNode } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import { AggregateFunctions, encodeKey, rowsToArrow, sameRow, type Group } from '../aggregate/aggregate-functions.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { assignWindows, timesOf } from './assign-windows.js';
import { describeWindow } from './describe.js';
import { LateRows, type LateRowsSink } from './late-rows.js';
import { OpenWindows } from './open-windows.js';
import { isoOrNull } from '../../streaming/trigger.js';

export class WindowAggregateOperator implements Operator {
  private readonly keyKernels: ((b: arrow.RecordBatch) => arrow.Data)[];
  private readonly fns: AggregateFunctions;
  private readonly outSchema: arrow.Schema;
  private touched = new Map<string, Group>();
  /** state keys of each open window, by window end: what the watermark closes */
  private readonly open = new OpenWindows();
  private readonly late: LateRows;

  constructor(
    private readonly node: WindowAggregateNode,
    private readonly store: StateStore,
    private readonly inputSchema: Schema,
    exprCtx: ExprContext,
    lateSink: LateRowsSink | undefined,
  ) {
    this.keyKernels = node.groupBy.map((e) => compileExpr(e, inputSchema, exprCtx));
    this.fns = new AggregateFunctions(node.aggregates, inputSchema, exprCtx);
    this.outSchema = toArrowSchema(node.schema);
    this.late = new LateRows(`windowAggregate[${node.operatorId}]`, inputSchema, lateSink);
    // state that survived a restart: index its windows again
    for (const [key, v] of store.entries()) this.open.add((v[0] as unknown[])[1] as number, key);
  }

  explain(): string {
    return `WindowAggregate[${this.node.operatorId}](${describeWindow(this.node.window)}, time=${this.inputSchema.columns[this.node.timeColumn]!.name}, ` +
      `keys=[${this.node.groupBy.map(exprToString).join(', ')}], aggs=[${this.fns.describe()}], mode=${this.node.mode})`;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    if (b.numRows === 0) return [];
    const times = timesOf(b.data.children[this.node.timeColumn]!);
    const a = assignWindows(this.node.window, times);
    const keyReaders = this.keyKernels.map((k) => readerFor(k(b)));
    const bound = this.fns.bind(b);
    const nk = keyReaders.length;
    const keyValues: unknown[] = new Array(nk + 2);
    const wm = ctx.watermark;
    // rows that landed in at least one open window; the others were late for all their windows
    const accepted = new Uint8Array(b.numRows);
    for (let k = 0; k < a.count; k++) {
      const end = a.ends[k]!;
      if (end <= wm) continue;
      const i = a.rows[k]!;
      accepted[i] = 1;
      keyValues[0] = a.starts[k]!;
      keyValues[1] = end;
      for (let c = 0; c < nk; c++) keyValues[c + 2] = keyReaders[c]!(i);
      const key = encodeKey(keyValues);
      let g = this.touched.get(key);
      if (!g) {
        g = this.fns.load(this.store, key, keyValues);
        this.touched.set(key, g);
      }
      const retract = chunk.kinds !== undefined && (chunk.kinds[i] === RowKind.UPDATE_BEFORE || chunk.kinds[i] === RowKind.DELETE);
      this.fns.apply(g, bound, i, retract);
    }
    this.late.collect(b, times, accepted, wm, ctx);
    return [];
  }

  hasTimerWork(watermark: number): boolean {
    return this.node.mode !== 'complete' && this.open.minEnd() <= watermark;
  }

  finishBatch(ctx: BatchContext): Chunk[] {
    const rows: unknown[][] = [];
    const kinds: number[] = [];
    const update = this.node.mode === 'update';
    for (const [key, g] of this.touched) {
      const result = this.resultRow(g);
      const before = g.emitted;
      if (g.rows <= 0) {
        this.store.delete(key);
        this.open.remove(g.keys[1] as number, key);
        if (update && before) { rows.push(before); kinds.push(RowKind.DELETE); }
        continue;
      }
      if (update) {
        g.emitted = result;
        if (!(before && sameRow(before, result))) {
          if (before) { rows.push(before); kinds.push(RowKind.UPDATE_BEFORE); }
          rows.push(result);
          kinds.push(before ? RowKind.UPDATE_AFTER : RowKind.INSERT);
        }
      }
      this.fns.save(this.store, key, g);
      this.open.add(g.keys[1] as number, key);
    }
    this.touched = new Map();
    if (this.node.mode === 'complete') {
      for (const [, v] of this.store.entries()) rows.push(this.resultRow(toGroup(v)));
      return rows.length === 0 ? [] : [{ batch: rowsToArrow(this.node.schema, this.outSchema, rows) }];
    }
    // the watermark closes windows: final rows in append mode, state dropped in both modes
    for (const keys of this.open.closeUpTo(ctx.watermark)) {
      for (const key of keys) {
        const v = this.store.get(key);
        if (!v) continue;
        if (!update) { rows.push(this.resultRow(toGroup(v))); kinds.push(RowKind.INSERT); }
        this.store.delete(key);
      }
    }
    if (rows.length === 0) return [];
    return [update ? { batch: rowsToArrow(this.node.schema, this.outSchema, rows), kinds: Uint8Array.from(kinds) }
      : { batch: rowsToArrow(this.node.schema, this.outSchema, rows) }];
  }

  /** Output row: keys with the window bounds where keyLayout puts them, then aggregate values. */
  private resultRow(g: Group): unknown[] {
    const out: unknown[] = [];
    for (const slot of this.node.keyLayout) {
      out.push(slot.kind === 'windowStart' ? g.keys[0] : slot.kind === 'windowEnd' ? g.keys[1] : g.keys[slot.index + 2]);
    }
    for (const v of this.fns.results(g.accs)) out.push(v);
    return out;
  }

  async checkpoint(version: number): Promise<void> {
    await this.store.commit(version);
    await this.late.flush();
  }

  abort(): void {
    this.touched = new Map();
    this.store.abort();
    this.open.rebuild(this.store.entries());
    this.late.discard();
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'windowAggregate',
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: this.late.takeBatchCount(),
      numOpenWindows: this.open.windowCount(),
      oldestOpenWindowEnd: isoOrNull(this.open.minEnd()),
    };
  }
}

function toGroup(v: readonly unknown[]): Group {
  return { keys: v[0] as unknown[], accs: v[1] as unknown[][], emitted: v[2] as unknown[] | null, rows: v[3] as number };
}
