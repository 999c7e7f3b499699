/**
 * A chunk moved from one task to another by its own buffers: the exchange's cut has just gathered
 * the rows bound for a task into new Arrow buffers, so they are handed over as they are (the
 * postMessage transfer list), not written again into an IPC stream, copied and parsed on the other
 * side. The one copy of an exchanged row is the cut's.
 *
 * Only the cut's own parts move so (an input chunk that goes whole to one task, a single exchange's
 * rows, are written as IPC as before), and of those only the buffers the part alone holds: one the
 * cut's input also holds (a zero-row List child left as a slice of the input's) would be detached
 * under whatever still reads it there, so it is copied first. Zero-length buffers are cloned, not
 * transferred (arrow-js may share one).
 *
 * The schema goes as a small Arrow IPC schema message the first time a sender sends one to a
 * receiver, then by number: both sides run the same plan, but the nullability or field metadata a
 * batch carries is the batch's own, so it is named exactly, not assumed.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import type { Chunk } from '../operators/operator.js';

/** One column's Data: its buffers in arrow-js's order (offsets, values, validity, type ids) and its children's. */
interface MovedData {
  readonly length: number;
  readonly nullCount: number;
  readonly buffers: readonly (ArrayBufferView | undefined)[];
  readonly children: readonly MovedData[];
}

/** A chunk on the wire between tasks. `schema` is set when this receiver has not had schema `schemaId` yet. */
export interface MovedChunk {
  readonly schemaId: number;
  readonly schema?: Uint8Array;
  readonly length: number;
  readonly columns: readonly MovedData[];
  readonly kinds?: Uint8Array;
}

/** The types a chunk may move by its buffers: those the cut's take makes (take.ts). */
const MOVABLE = new Set<arrow.Type>([
  arrow.Type.Null, arrow.Type.Bool, arrow.Type.Int, arrow.Type.Float, arrow.Type.Date, arrow.Type.Timestamp,
  arrow.Type.Decimal, arrow.Type.Utf8, arrow.Type.Struct, arrow.Type.List, arrow.Type.Map,
]);

const movableType = (t: arrow.DataType): boolean => MOVABLE.has(t.typeId) && (t.children ?? []).every((f) => movableType(f.type));

/** Each schema object's fingerprint, made once (operators reuse their output schema objects). */
const fingerprints = new WeakMap<arrow.Schema, string>();

/** What identifies a schema exactly: names, types, nullability and metadata, nested. */
function fingerprint(s: arrow.Schema): string {
  let f = fingerprints.get(s);
  if (f === undefined) fingerprints.set(s, f = fingerprintOf(s));
  return f;
}

function fingerprintOf(s: arrow.Schema): string {
  const field = (f: arrow.Field): string => `${JSON.stringify(f.name)}:${String(f.type)}:${f.nullable ? 1 : 0}:${f.metadata.size > 0 ? JSON.stringify([...f.metadata]) : ''}(${(f.type.children ?? []).map(field).join(',')})`;
  return `${s.fields.map(field).join(';')}|${s.metadata.size > 0 ? JSON.stringify([...s.metadata]) : ''}`;
}

/** A sending task's schemas: numbered once, sent to each receiver the first time. */
export class SchemaSender {
  private readonly ids = new Map<string, { id: number; ipc: Uint8Array; movable: boolean }>();
  /** the (receiver, schema) pairs whose schema a posted message carried */
  private readonly sent = new Set<string>();
  /** those carried by the message being made: sent once it is posted (`posted`), else carried again */
  private readonly carrying = new Set<string>();

  /**
   * `c` (a chunk the cut made: its columns new, none sliced) for task `to`, its buffers added to
   * `transfer`; those in `shared` (the cut's input's) are copied. Undefined when `c` cannot move by
   * its buffers (a type the take does not make, a sliced column): it then goes as IPC. Tell
   * `posted` whether the message it goes in was posted.
   */
  move(c: Chunk, to: number, transfer: ArrayBuffer[], shared: ReadonlySet<ArrayBufferLike>): MovedChunk | undefined {
    const key = fingerprint(c.batch.schema);
    let known = this.ids.get(key);
    if (!known) {
      const ipc = arrow.tableToIPC(new arrow.Table(c.batch.schema), 'stream');
      known = { id: this.ids.size, ipc, movable: c.batch.schema.fields.every((f) => movableType(f.type)) };
      this.ids.set(key, known);
    }
    if (!known.movable || sliced(c.batch.data)) return undefined;
    const list: ArrayBuffer[] = [];
    const moving = new Set<ArrayBufferLike>();
    const buffer = (v: ArrayBufferView | undefined): ArrayBufferView | undefined => {
      if (v === undefined) return undefined;
      if (v.byteLength === 0) return (v as Uint8Array).slice();
      if (shared.has(v.buffer)) {
        const copy = (v as Uint8Array).slice();
        list.push(copy.buffer);
        return copy;
      }
      if (!moving.has(v.buffer)) {
        moving.add(v.buffer);
        list.push(v.buffer as ArrayBuffer);
      }
      return v;
    };
    const data = (d: arrow.Data): MovedData => ({
      length: d.length, nullCount: d.nullCount,
      buffers: [buffer(d.valueOffsets), buffer(d.values as ArrayBufferView | undefined), buffer(d.nullBitmap), buffer(d.typeIds)],
      children: d.children.map(data),
    });
    const columns = c.batch.data.children.map(data);
    const kinds = c.kinds?.slice();
    if (kinds) list.push(kinds.buffer);
    for (const b of list) transfer.push(b);
    const seen = `${to}:${known.id}`;
    const first = !this.sent.has(seen) && !this.carrying.has(seen);
    if (first) this.carrying.add(seen);
    return { schemaId: known.id, ...(first ? { schema: known.ipc } : {}), length: c.batch.numRows, columns, ...(kinds ? { kinds } : {}) };
  }

  /**
   * The message made since the last call was posted (`true`: its receiver has the schemas it
   * carried) or was not (a later message carries them again).
   */
  posted(ok: boolean): void {
    if (ok) for (const k of this.carrying) this.sent.add(k);
    this.carrying.clear();
  }
}

/** True when a column (or a child's) is a slice of a larger one: its buffers are not all its own. */
function sliced(d: arrow.Data): boolean {
  return d.offset !== 0 || d.children.some(sliced);
}

/** Every ArrayBuffer a chunk's columns view (what a cut of it must not move away). */
export function buffersOf(c: Chunk): Set<ArrayBufferLike> {
  const out = new Set<ArrayBufferLike>();
  const visit = (d: arrow.Data): void => {
    for (const v of [d.valueOffsets, d.values as ArrayBufferView | undefined, d.nullBitmap, d.typeIds]) if (v !== undefined && v.byteLength > 0) out.add(v.buffer);
    d.children.forEach(visit);
  };
  visit(c.batch.data);
  return out;
}

/** A receiving task's schemas, by sender and number. */
export class SchemaReceiver {
  private readonly schemas = new Map<string, arrow.Schema>();

  /** The chunk `m` from task `from`, on the buffers that came with it. */
  restore(m: MovedChunk, from: number): Chunk {
    const key = `${from}:${m.schemaId}`;
    if (m.schema) this.schemas.set(key, arrow.tableFromIPC(m.schema).schema);
    const schema = this.schemas.get(key);
    if (!schema) throw new InternalError(`task ${from}'s schema ${m.schemaId} came before its definition`);
    const data = (type: arrow.DataType, d: MovedData): arrow.Data => {
      const kids = type.children ?? [];
      if (kids.length !== d.children.length) throw new InternalError(`a moved ${String(type)} column has ${d.children.length} children`);
      return new arrow.Data(type, 0, d.length, d.nullCount, d.buffers as never, d.children.map((k, i) => data(kids[i]!.type, k)));
    };
    const batch = batchFromColumns(schema, schema.fields.map((f, i) => data(f.type, m.columns[i]!)), m.length);
    return m.kinds ? { batch, kinds: m.kinds } : { batch };
  }
}
