/**
 * A batch's output chunks as the sink takes them: one RowKind array across all rows (undefined when
 * every row is an INSERT), empty chunks dropped, columns under the sink table's names.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import type { SinkBatch } from '../../connectors/api.js';
import type { Chunk } from '../operators/operator.js';

export function toSinkBatch(batchId: number, chunks: readonly Chunk[], schema: arrow.Schema): SinkBatch {
  const anyKinds = chunks.some((c) => c.kinds !== undefined);
  const total = chunks.reduce((a, c) => a + c.batch.numRows, 0);
  let kinds: Uint8Array | undefined;
  if (anyKinds) {
    kinds = new Uint8Array(total);
    let p = 0;
    for (const c of chunks) {
      if (c.kinds) kinds.set(c.kinds, p);
      p += c.batch.numRows;
    }
  }
  const data = chunks.filter((c) => c.batch.numRows > 0).map((c) => relabel(c.batch, schema));
  return { batchId, data, kinds };
}

/** The same columns under the sink's column names. */
function relabel(b: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  if (b.schema.fields.every((f, i) => f.name === schema.fields[i]?.name)) return b;
  return batchFromColumns(schema, b.data.children, b.numRows);
}
