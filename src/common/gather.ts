/**
 * Gather rows from several columns of one type into one: output row i is row `rows[i]` of
 * `sources[which[i]]`. A join's stored side keeps one Arrow block per input chunk, and a chunk's
 * candidate pairs name rows of many blocks in probe order: this builds the stored side's columns in
 * one pass, where a take per block, a concatenation and a take back into probe order copied every
 * value three times.
 *
 * As in take.ts, value buffers, offsets and children of a sliced Data are already sliced by
 * arrow-js; only validity bitmaps need the Data's offset. 64-bit values move as two 32-bit halves.
 */
import * as arrow from 'apache-arrow';
import { makeAny } from './columns.js';
import { InternalError } from './errors.js';
import { gatherCollection } from './collections.js';
import { takeColumns } from './take.js';

type Rows = Uint32Array | Int32Array;

const bitAt = (bm: Uint8Array, i: number): boolean => ((bm[i >> 3]! >> (i & 7)) & 1) === 1;

/** The gathered validity bitmap, undefined when no gathered row is NULL. */
function gatherValidity(sources: readonly arrow.Data[], which: Rows, rows: Rows): { bitmap: Uint8Array | undefined; nullCount: number } {
  const maps = sources.map((s) => (s.nullCount > 0 && s.nullBitmap && s.nullBitmap.length > 0 ? s.nullBitmap : undefined));
  if (maps.every((m) => m === undefined)) return { bitmap: undefined, nullCount: 0 };
  const n = which.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const s = which[i]!;
    const bm = maps[s];
    if (bm === undefined || bitAt(bm, sources[s]!.offset + rows[i]!)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return nullCount === 0 ? { bitmap: undefined, nullCount: 0 } : { bitmap, nullCount };
}

export function gather(sources: readonly arrow.Data[], which: Rows, rows: Rows): arrow.Data {
  const first = sources[0];
  if (!first) throw new InternalError('gather from no columns');
  const n = which.length;
  const { bitmap, nullCount } = gatherValidity(sources, which, rows);
  const base = { type: first.type, length: n, nullCount, nullBitmap: bitmap };
  switch (first.typeId) {
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const raw = first.values as ArrayBufferView & { readonly length: number };
      const Ctor = raw.constructor as new (n: number) => typeof raw;
      const out = new Ctor(n);
      const wide = raw instanceof BigInt64Array || raw instanceof BigUint64Array;
      if (wide) {
        const src = sources.map((s) => { const v = s.values as BigInt64Array; return new Int32Array(v.buffer, v.byteOffset, v.length * 2); });
        const o = new Int32Array(out.buffer, out.byteOffset, n * 2);
        for (let i = 0; i < n; i++) {
          const v = src[which[i]!]!, j = rows[i]! * 2;
          o[2 * i] = v[j]!;
          o[2 * i + 1] = v[j + 1]!;
        }
      } else {
        const src = sources.map((s) => s.values as unknown as Float64Array);
        const o = out as unknown as Float64Array;
        for (let i = 0; i < n; i++) o[i] = src[which[i]!]![rows[i]!]!;
      }
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Decimal: { // DECIMAL(p > 18): four 32-bit words a value (decimal128.ts)
      const src = sources.map((s) => s.values as Uint32Array);
      const out = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const v = src[which[i]!]!, j = rows[i]! * 4;
        out[4 * i] = v[j]!; out[4 * i + 1] = v[j + 1]!; out[4 * i + 2] = v[j + 2]!; out[4 * i + 3] = v[j + 3]!;
      }
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Bool: {
      const out = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) {
        const s = sources[which[i]!]!;
        if (bitAt(s.values as Uint8Array, s.offset + rows[i]!)) out[i >> 3]! |= 1 << (i & 7);
      }
      return arrow.makeData({ ...base, type: first.type as arrow.Bool, data: out });
    }
    case arrow.Type.Utf8: {
      const offsets = new Int32Array(n + 1);
      const srcOffsets = sources.map((s) => s.valueOffsets!);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const o = srcOffsets[which[i]!]!, j = rows[i]!;
        total += o[j + 1]! - o[j]!;
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      const srcBytes = sources.map((s) => s.values as Uint8Array);
      for (let i = 0; i < n; i++) {
        const s = which[i]!, o = srcOffsets[s]!, j = rows[i]!;
        const from = o[j]!, to = o[j + 1]!;
        const at = offsets[i]!, src = srcBytes[s]!;
        if (to - from < 64) for (let q = from, w = at; q < to; q++, w++) bytes[w] = src[q]!;
        else bytes.set(src.subarray(from, to), at);
      }
      return arrow.makeData({ ...base, type: first.type as arrow.Utf8, valueOffsets: offsets, data: bytes });
    }
    case arrow.Type.Struct: {
      const children = (first.type as arrow.Struct).children.map((_, c) => gather(sources.map((s) => s.children[c]!), which, rows));
      return arrow.makeData({ ...base, type: first.type as arrow.Struct, children });
    }
    case arrow.Type.List: case arrow.Type.Map:
      return gatherCollection(sources, which, rows, base, gather);
    case arrow.Type.Null:
      return arrow.makeData({ type: new arrow.Null(), length: n, nullCount: n });
    default:
      throw new InternalError(`gather: Arrow type ${String(first.type)} is not supported`);
  }
}

/**
 * Columns `columns` of rows held in blocks (a join side's, an OVER operator's), in the order of
 * `refs`: each ref is a block id × `span` + a row of that block. One block: a take; several: one
 * gather pass over them.
 */
export function takeBlockRows(refs: readonly number[], span: number, batchOf: (id: number) => arrow.RecordBatch, columns: readonly number[]): arrow.Data[] {
  const n = refs.length;
  // the blocks the rows come from, in first-appearance order, and each row's block and row
  const slot = new Map<number, number>();
  const blocks: arrow.RecordBatch[] = [];
  const which = new Uint32Array(n);
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const ref = refs[i]!;
    const id = Math.floor(ref / span);
    let s = slot.get(id);
    if (s === undefined) {
      s = blocks.length;
      slot.set(id, s);
      blocks.push(batchOf(id));
    }
    which[i] = s;
    rows[i] = ref % span;
  }
  if (blocks.length === 1) return takeColumns(columns.map((c) => blocks[0]!.data.children[c]!), rows);
  return columns.map((c) => gather(blocks.map((b) => b.data.children[c]!), which, rows));
}
