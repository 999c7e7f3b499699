/**
 * What a source node hands the plan of the rows a source read: the physical columns its scan reads
 * and, of a ROW column the scan reads only in part (`requiredFields`, projection pruning), only those
 * fields; the others become null.
 *
 * A source may give more than one scan needs: a table two scans read is read once, with the fields
 * either reads (q7's bids: one scan reads `bid.extra`, the other only `bid.price`), and the nexmark
 * generator's full-field mode builds every field of every event. Without this, the filter above
 * each scan (`event_type = 2`) copied every field of every row it kept, the long `extra` strings
 * among them, for no reader. An all-null field is not copied by a take (take.ts), and the null
 * fields made here share one zero-filled buffer, so they cost no copy either.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, makeAny } from '../../common/columns.js';
import { toArrowSchema } from '../../common/schema.js';
import type { SourceNode } from '../../planner/incremental/physical.js';
import type { Chunk } from '../operators/operator.js';

/** A source's batches carry every physical column; the plan reads only the node's `columns` of them, and of ROW columns its `requiredFields`. */
export function selectColumns(node: SelectedNode, chunks: readonly Chunk[]): Chunk[] {
  const { arrowSchema, keep } = selectionOf(node);
  return chunks.map((c) => {
    const kids = c.batch.data.children;
    const n = c.batch.numRows;
    const picked = node.columns.map((i, k) => {
      const d = kids[i]!;
      const mask = keep[k];
      return mask === undefined || d.typeId !== arrow.Type.Struct || d.children.length !== mask.length ? d : withNullFields(d, mask);
    });
    const batch: arrow.RecordBatch = batchFromColumns(arrowSchema, picked, n);
    return c.kinds ? { batch, kinds: c.kinds } : { batch };
  });
}

type SelectedNode = Pick<SourceNode, 'columns' | 'schema' | 'requiredFields'>;

/** A node's Arrow schema and, per selected column, its ROW field mask: worked out once, not every batch. */
interface Selection {
  readonly arrowSchema: arrow.Schema;
  readonly keep: (readonly boolean[] | undefined)[];
}
const selections = new WeakMap<SelectedNode, Selection>();

function selectionOf(node: SelectedNode): Selection {
  let s = selections.get(node);
  if (!s) {
    const arrowSchema = toArrowSchema(node.schema);
    s = { arrowSchema, keep: fieldMasks(node, arrowSchema) };
    selections.set(node, s);
  }
  return s;
}

/** Per selected column, which fields of a ROW column the scan reads (undefined: all of it). */
function fieldMasks(node: Pick<SourceNode, 'columns' | 'requiredFields'>, schema: arrow.Schema): (readonly boolean[] | undefined)[] {
  return node.columns.map((c, k) => {
    const names = node.requiredFields?.get(c);
    const type = schema.fields[k]?.type;
    if (names === undefined || !(type instanceof arrow.Struct)) return undefined;
    const wanted = new Set(names.map((x) => x.toLowerCase()));
    const mask = type.children.map((f) => wanted.has(f.name.toLowerCase()));
    return mask.every(Boolean) ? undefined : mask;
  });
}

/** A ROW column with the fields outside `mask` made null (those of a type this cannot make null stay). */
function withNullFields(d: arrow.Data, mask: readonly boolean[]): arrow.Data {
  const children = d.children.map((child, j) => (mask[j] || child.nullCount === child.length ? child : (nullLike(child.type as arrow.DataType, child.length) ?? child)));
  return arrow.makeData({ type: d.type as arrow.Struct, length: d.length, offset: d.offset, nullCount: d.nullCount, nullBitmap: d.nullBitmap, children });
}

let zeros = new ArrayBuffer(0);

/** `bytes` zero bytes, from one buffer shared by every null column (never written: Arrow data is read-only here). */
function zeroBytes(bytes: number): ArrayBuffer {
  if (zeros.byteLength < bytes) zeros = new ArrayBuffer(Math.max(bytes, 2 * zeros.byteLength, 1 << 16));
  return zeros;
}

/** `n` nulls of Arrow type `t`, over the shared zero buffer; undefined for a type left as it is. */
function nullLike(t: arrow.DataType, n: number): arrow.Data | undefined {
  const bits = (): Uint8Array => new Uint8Array(zeroBytes((n + 7) >> 3), 0, (n + 7) >> 3);
  const base = { type: t, length: n, nullCount: n };
  switch (t.typeId) {
    case arrow.Type.Utf8:
      return arrow.makeData({ ...base, type: t as arrow.Utf8, nullBitmap: bits(), valueOffsets: new Int32Array(zeroBytes(4 * (n + 1)), 0, n + 1), data: new Uint8Array(0) });
    case arrow.Type.Bool:
      return arrow.makeData({ ...base, type: t as arrow.Bool, nullBitmap: bits(), data: bits() });
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const Values = (t as arrow.Int).ArrayType as unknown as { new (b: ArrayBuffer, at: number, n: number): ArrayBufferView; BYTES_PER_ELEMENT: number };
      return makeAny({ ...base, nullBitmap: bits(), data: new Values(zeroBytes(n * Values.BYTES_PER_ELEMENT), 0, n) });
    }
    default:
      return undefined;
  }
}
