/** UNION ALL: every input's rows, relabelled with the union's schema (the binder made the types agree). */
import * as arrow from 'apache-arrow';
import { toArrowSchema } from '../../common/schema.js';
import type { UnionNode } from '../../planner/incremental/physical.js';
import type { Chunk, Operator } from './operator.js';

export class UnionOperator implements Operator {
  private readonly schema: arrow.Schema;

  constructor(private readonly node: UnionNode) {
    this.schema = toArrowSchema(node.schema);
  }

  explain(): string {
    return `UnionAll(inputs=${this.node.inputs.length})`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const batch = new arrow.RecordBatch(this.schema, arrow.makeData({
      type: new arrow.Struct(this.schema.fields), length: b.numRows, nullCount: 0, children: b.data.children,
    }));
    return [chunk.kinds ? { batch, kinds: chunk.kinds } : { batch }];
  }
}
