/**
 * Where a source's event time is observed: rows pass unchanged, and the largest value of the
 * WATERMARK FOR expression (and the min/max of the rowtime column, for progress) is reported to the
 * query's watermark tracker, which turns it into the next batch's watermark.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { WatermarkNode } from '../../planner/incremental/physical.js';
import { exprToString } from '../../planner/expr.js';
import type { ExprContext } from '../expr/compile.js';
import { compileExpr } from '../expr/compile.js';
import type { Chunk, Operator } from './operator.js';

export interface EventTimeObserver {
  observe(sourceIndex: number, maxWatermarkCandidate: number, minEventTime: number, maxEventTime: number, sumEventTime?: number, countEventTime?: number): void;
}

export class WatermarkOperator implements Operator {
  private readonly expr: (b: arrow.RecordBatch) => arrow.Data;

  constructor(private readonly node: WatermarkNode, input: Schema, ctx: ExprContext, private readonly observer: EventTimeObserver) {
    this.expr = compileExpr(node.expr, input, ctx);
  }

  explain(): string {
    return `WatermarkAssigner(source=${this.node.sourceIndex}, rowtime=${this.node.schema.columns[this.node.column]!.name}, watermark=${exprToString(this.node.expr)})`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [chunk];
    const wm = readerFor(this.expr(b));
    const ts = readerFor(b.data.children[this.node.column]!);
    let maxWm = -Infinity, minTs = Infinity, maxTs = -Infinity, sumTs = 0, countTs = 0;
    for (let i = 0; i < n; i++) {
      const w = wm(i) as number | null;
      if (w !== null && w > maxWm) maxWm = w;
      const t = ts(i) as number | null;
      if (t !== null) {
        sumTs += t;
        countTs++;
        if (t < minTs) minTs = t;
        if (t > maxTs) maxTs = t;
      }
    }
    this.observer.observe(this.node.sourceIndex, maxWm, minTs, maxTs, sumTs, countTs);
    return [chunk];
  }
}
