/**
 * Where each input row goes in a window aggregation: its time and grouping keys as the window
 * operator sees them. `weir compare` runs the plan's stateless part below the window (projections,
 * filters, computed columns, the watermark assigner) over the rows with the engine's own operators,
 * so it sees exactly what the query sees, then reads the time column and evaluates the keys.
 *
 * Projections keep rows in order and filters only drop rows, so a slice whose output has as many
 * rows as it had input maps row for row; a slice that lost some rows is halved until each half maps
 * or is empty. That costs a few extra passes per filtered-out row and none when nothing is filtered.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import { compileExpr, type ExprContext } from '../../executor/expr/compile.js';
import type { BatchContext, Chunk } from '../../executor/operators/operator.js';
import { timesOf } from '../../executor/operators/window/assign-windows.js';
import { buildTree, runBatch, type ExecNode } from '../../executor/streaming/operator-tree.js';
import type { StreamingPlan, WindowAggregateNode } from '../../planner/incremental/physical.js';

/** A row as the window sees it: time (NaN when NULL) and grouping key values. */
export interface Placement {
  readonly time: number;
  readonly keys: readonly unknown[];
}

/** Values as compare compares them: Arrow's BigInts and Dates as plain numbers. */
export function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return v;
}

export class WindowProbe {
  private readonly tree: ExecNode;
  private readonly keyKernels: ((b: arrow.RecordBatch) => arrow.Data)[];
  private readonly ctx: BatchContext;

  constructor(private readonly plan: StreamingPlan, private readonly window: WindowAggregateNode, expr: ExprContext) {
    this.tree = buildTree(window.input, { expr, properties: plan.properties, observer: { observe: () => {} }, stores: new Map() });
    this.keyKernels = window.groupBy.map((e) => compileExpr(e, window.input.schema, expr));
    this.ctx = { batchId: 0, watermark: -Infinity, processingTime: expr.now(), expr };
  }

  /**
   * For each row of `batch` (the physical rows of the table read by every plan source whose table is
   * `table`): one placement per such source (a table read twice, through UNION ALL, places twice),
   * none where a filter dropped it.
   */
  place(table: string, batch: arrow.RecordBatch): Placement[][] {
    const out: Placement[][] = Array.from({ length: batch.numRows }, () => []);
    this.plan.sources.forEach((s, i) => {
      if (s.table.name.toLowerCase() !== table.toLowerCase()) return;
      this.placeSlice(i, batch, 0, batch.numRows, out);
    });
    return out;
  }

  private run(sourceIndex: number, slice: arrow.RecordBatch): Chunk[] {
    const chunks = this.plan.sources.map((_, i) => (i === sourceIndex ? [{ batch: slice }] : []));
    return runBatch(this.tree, chunks, this.ctx);
  }

  private placeSlice(sourceIndex: number, batch: arrow.RecordBatch, from: number, to: number, out: Placement[][]): void {
    if (to <= from) return;
    const result = this.run(sourceIndex, batch.slice(from, to));
    const count = result.reduce((a, c) => a + c.batch.numRows, 0);
    if (count === 0) return;
    if (count === to - from) {
      let row = from;
      for (const c of result) {
        const times = timesOf(c.batch.data.children[this.window.timeColumn]!);
        const keys = this.keyKernels.map((k) => readerFor(k(c.batch)));
        for (let i = 0; i < c.batch.numRows; i++) {
          out[row++]!.push({ time: times[i]!, keys: keys.map((r) => plainValue(r(i))) });
        }
      }
      return;
    }
    const mid = from + Math.floor((to - from) / 2);
    this.placeSlice(sourceIndex, batch, from, mid, out);
    this.placeSlice(sourceIndex, batch, mid, to, out);
  }
}
