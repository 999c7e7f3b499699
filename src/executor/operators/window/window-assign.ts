/**
 * A window TVF with nothing aggregating it: every row once per window it falls in, with
 * window_start, window_end and window_time (= window_end - 1 ms) appended. Stateless; append-only.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, makeAny, takeData } from '../../../common/columns.js';
import { toArrowSchema } from '../../../common/schema.js';
import { InternalError } from '../../../common/errors.js';
import type { WindowAssignNode } from '../../../planner/incremental/physical.js';
import type { Chunk, Operator } from '../operator.js';
import { assignWindows, timesOf } from './assign-windows.js';
import { describeWindow } from './describe.js';

export function timestampColumn(values: Float64Array, count: number, minus = 0): arrow.Data {
  const out = new BigInt64Array(count);
  for (let i = 0; i < count; i++) out[i] = BigInt(values[i]! - minus);
  return makeAny({ type: new arrow.TimestampMillisecond(), length: count, nullCount: 0, data: out });
}

export class WindowAssignOperator implements Operator {
  private readonly schema: arrow.Schema;

  constructor(private readonly node: WindowAssignNode) {
    if (node.window.kind === 'session') {
      throw new InternalError('a SESSION window TVF must be aggregated (the planner refuses it otherwise)');
    }
    this.schema = toArrowSchema(node.schema);
  }

  explain(): string {
    return `WindowAssign(${describeWindow(this.node.window)}, time=${this.node.input.schema.columns[this.node.timeColumn]!.name})`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const a = assignWindows(this.node.window, timesOf(b.data.children[this.node.timeColumn]!));
    if (a.count === 0) return [];
    const cols = b.data.children.map((c) => takeData(c, a.rows, a.count));
    cols.push(timestampColumn(a.starts, a.count), timestampColumn(a.ends, a.count), timestampColumn(a.ends, a.count, 1));
    const batch = batchFromColumns(this.schema, cols, a.count);
    if (!chunk.kinds) return [{ batch }];
    const kinds = new Uint8Array(a.count);
    for (let i = 0; i < a.count; i++) kinds[i] = chunk.kinds[a.rows[i]!]!;
    return [{ batch, kinds }];
  }
}
