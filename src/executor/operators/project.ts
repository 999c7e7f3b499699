/** Computes the output columns; bare column references pass through without a copy. */
import type * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import { toArrowSchema } from '../../common/schema.js';
import type { ProjectNode } from '../../planner/incremental/physical.js';
import { exprToString } from '../../planner/expr.js';
import type { ExprContext } from '../expr/compile.js';
import { compileProjection } from '../expr/compile.js';
import type { Chunk, Operator } from './operator.js';

export class ProjectOperator implements Operator {
  private readonly kernel: (b: arrow.RecordBatch) => arrow.Data[];
  private readonly schema: arrow.Schema;

  constructor(private readonly node: ProjectNode, input: Schema, ctx: ExprContext) {
    this.kernel = compileProjection(node.exprs, input, ctx);
    this.schema = toArrowSchema(node.schema);
  }

  explain(): string {
    return `Project(${this.node.exprs.map((e, i) => `${this.node.schema.columns[i]!.name}=${exprToString(e)}`).join(', ')})`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const batch = batchFromColumns(this.schema, this.kernel(b), b.numRows);
    return [chunk.kinds ? { batch, kinds: chunk.kinds } : { batch }];
  }
}
