/** Keeps the rows whose predicate is TRUE; the kernel yields a selection vector, then columns are taken. */
import type * as arrow from 'apache-arrow';
import { takeBatch } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { FilterNode } from '../../planner/incremental/physical.js';
import { exprToString } from '../../planner/expr.js';
import type { ExprContext } from '../expr/compile.js';
import { compilePredicate } from '../expr/compile.js';
import type { Chunk, Operator } from './operator.js';

export class FilterOperator implements Operator {
  private readonly predicate: (b: arrow.RecordBatch) => { indices: Uint32Array; count: number };

  constructor(private readonly node: FilterNode, input: Schema, ctx: ExprContext) {
    this.predicate = compilePredicate(node.predicate, input, ctx);
  }

  explain(): string {
    return `Filter(${exprToString(this.node.predicate)})`;
  }

  process(chunk: Chunk): Chunk[] {
    const { indices, count } = this.predicate(chunk.batch);
    if (count === 0) return [];
    if (count === chunk.batch.numRows) return [chunk];
    const batch = takeBatch(chunk.batch, indices, count);
    if (!chunk.kinds) return [{ batch }];
    const kinds = new Uint8Array(count);
    for (let i = 0; i < count; i++) kinds[i] = chunk.kinds[indices[i]!]!;
    return [{ batch, kinds }];
  }
}
