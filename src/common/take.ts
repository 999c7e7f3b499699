/**
 * Take rows by index: the filter and join kernel (re-exported by columns.ts, where it started).
 *
 * It is on the hot path of every filter, so it works by runs: the selected rows are split once into
 * runs of consecutive rows (a filter such as `event_type = 2` keeps long runs), and each run of
 * fixed-width values or string bytes moves with one native copy, short runs with a loop. 64-bit
 * integers move as two 32-bit halves (reading a BigInt64Array element would allocate a BigInt).
 * Within one take, a validity bitmap shared by several columns (struct children sharing their
 * parent's) is taken once, and a column that is entirely null is not copied at all.
 *
 * Value buffers, offsets and children of a sliced Data are already sliced by arrow-js; only bitmaps
 * need `offset`.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, makeAny } from './columns.js';
import { InternalError } from './errors.js';
import { nullCollection, takeCollection } from './collections.js';

type Indices = Uint32Array | Int32Array;

/** Runs shorter than this are copied element by element (a subarray costs more). */
const SHORT_RUN = 8;

/** The selected rows as runs: run r is source rows from[r] … from[r]+len[r]-1, output rows at[r] …. */
interface Runs {
  readonly count: number;
  readonly from: Int32Array;
  readonly at: Int32Array;
  readonly len: Int32Array;
}

/** A taken validity bitmap (undefined: no nulls among the rows taken). */
interface TakenBitmap {
  readonly offset: number;
  readonly bitmap: Uint8Array | undefined;
  readonly nullCount: number;
}

/** What the columns of one take share. */
class TakeContext {
  private runs: Runs | undefined;
  private readonly bitmaps = new Map<Uint8Array, TakenBitmap>();

  constructor(readonly indices: Indices, readonly count: number) {}

  getRuns(): Runs {
    if (this.runs === undefined) this.runs = findRuns(this.indices, this.count);
    return this.runs;
  }

  bitmap(src: Uint8Array, off: number): TakenBitmap {
    const known = this.bitmaps.get(src);
    if (known !== undefined && known.offset === off) return known;
    const taken = takeBitmap(src, off, this.indices, this.count);
    this.bitmaps.set(src, taken);
    return taken;
  }
}

function findRuns(indices: Indices, count: number): Runs {
  let n = 0;
  for (let i = 0; i < count; i++) if (i === 0 || indices[i] !== indices[i - 1]! + 1) n++;
  const from = new Int32Array(n), at = new Int32Array(n), len = new Int32Array(n);
  let r = -1;
  for (let i = 0; i < count; i++) {
    const j = indices[i]!;
    if (i === 0 || j !== indices[i - 1]! + 1) {
      r++;
      from[r] = j;
      at[r] = i;
    }
    len[r]!++;
  }
  return { count: n, from, at, len };
}

function takeBitmap(src: Uint8Array, off: number, indices: Indices, count: number): TakenBitmap {
  let bitmap: Uint8Array | undefined = new Uint8Array((count + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < count; i++) {
    const j = off + indices[i]!;
    if ((src[j >> 3]! >> (j & 7)) & 1) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  if (nullCount === 0) bitmap = undefined;
  return { offset: off, bitmap, nullCount };
}

/** out[at + k] = src[from + k] over every run, `width` array elements per row. */
function copyRuns<T extends Int32Array | Float64Array | Float32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array>(
  src: T, out: T, runs: Runs, width: number): void {
  const { from, at, len } = runs;
  for (let r = 0; r < runs.count; r++) {
    const s = from[r]! * width, d = at[r]! * width, n = len[r]! * width;
    if (n < SHORT_RUN) for (let k = 0; k < n; k++) out[d + k] = src[s + k]!;
    else out.set(src.subarray(s, s + n) as never, d);
  }
}

function take(d: arrow.Data, cx: TakeContext): arrow.Data {
  const count = cx.count;
  let bitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0) {
    if (d.nullCount === d.length && d.typeId !== arrow.Type.Struct) return allNullLike(d, count);
    ({ bitmap, nullCount } = cx.bitmap(d.nullBitmap, d.offset));
  }
  const base = { type: d.type, length: count, nullCount, nullBitmap: bitmap };
  switch (d.typeId) {
    case arrow.Type.Bool: {
      const src = d.values as Uint8Array;
      const out = new Uint8Array((count + 7) >> 3);
      const off = d.offset, indices = cx.indices;
      for (let i = 0; i < count; i++) {
        const j = off + indices[i]!;
        if ((src[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
      }
      return arrow.makeData({ ...base, type: d.type as arrow.Bool, data: out });
    }
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const raw: ArrayBufferView & { readonly length: number } = d.values;
      const Ctor = raw.constructor as new (n: number) => typeof raw;
      const out = new Ctor(count);
      if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
        const s32 = new Int32Array(raw.buffer, raw.byteOffset, raw.length * 2);
        copyRuns(s32, new Int32Array(out.buffer, out.byteOffset, count * 2), cx.getRuns(), 2);
      } else {
        copyRuns(raw as Int32Array, out as Int32Array, cx.getRuns(), 1);
      }
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Decimal: { // DECIMAL(p > 18): four 32-bit words a value (decimal128.ts)
      const out = new Uint32Array(count * 4);
      copyRuns(d.values as Uint32Array, out, cx.getRuns(), 4);
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Utf8: {
      const o = d.valueOffsets!;
      const src = d.values as Uint8Array;
      const offsets = new Int32Array(count + 1);
      const { from, at, len } = cx.getRuns();
      const runs = cx.getRuns().count;
      let total = 0;
      for (let r = 0; r < runs; r++) {
        const j0 = from[r]!, i0 = at[r]!, n = len[r]!;
        const base0 = total - o[j0]!;
        for (let k = 1; k <= n; k++) offsets[i0 + k] = o[j0 + k]! + base0;
        total = offsets[i0 + n]!;
      }
      const bytes = new Uint8Array(total);
      for (let r = 0; r < runs; r++) {
        const s = o[from[r]!]!, e = o[from[r]! + len[r]!]!;
        const p = offsets[at[r]!]!;
        if (e - s < 64) for (let q = s, w = p; q < e; q++, w++) bytes[w] = src[q]!;
        else bytes.set(src.subarray(s, e), p);
      }
      return arrow.makeData({ ...base, type: d.type as arrow.Utf8, valueOffsets: offsets, data: bytes });
    }
    case arrow.Type.Struct: {
      const children = d.children.map((c) => take(c, cx));
      return arrow.makeData({ ...base, type: d.type as arrow.Struct, children });
    }
    case arrow.Type.List: case arrow.Type.Map:
      return takeCollection(d, cx.indices, count, base, takeData);
    case arrow.Type.Null:
      return arrow.makeData({ type: new arrow.Null(), length: count, nullCount: count });
    default:
      throw new InternalError(`takeData: Arrow type ${String(d.type)} is not supported`);
  }
}

/** `count` nulls of a column's (non-struct) type. */
function allNullLike(d: arrow.Data, count: number): arrow.Data {
  const base = { type: d.type, length: count, nullCount: count, nullBitmap: new Uint8Array((count + 7) >> 3) };
  switch (d.typeId) {
    case arrow.Type.Bool:
      return arrow.makeData({ ...base, type: d.type as arrow.Bool, data: new Uint8Array((count + 7) >> 3) });
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const Ctor = (d.values as ArrayBufferView).constructor as new (n: number) => ArrayBufferView;
      return makeAny({ ...base, data: new Ctor(count) });
    }
    case arrow.Type.Decimal: return makeAny({ ...base, data: new Uint32Array(count * 4) });
    case arrow.Type.Utf8:
      return arrow.makeData({ ...base, type: d.type as arrow.Utf8, valueOffsets: new Int32Array(count + 1), data: new Uint8Array(0) });
    case arrow.Type.List: case arrow.Type.Map: return nullCollection(d, count);
    case arrow.Type.Null:
      return arrow.makeData({ type: new arrow.Null(), length: count, nullCount: count });
    default:
      throw new InternalError(`takeData: Arrow type ${String(d.type)} is not supported`);
  }
}

/** Rows `indices` (the first `count` of them) of a column, in that order, nulls kept. */
export function takeData(d: arrow.Data, indices: Indices, count = indices.length): arrow.Data {
  return take(d, new TakeContext(indices, count));
}

/** Rows `indices` of several columns of one batch (the runs are found once). */
export function takeColumns(columns: readonly arrow.Data[], indices: Indices, count = indices.length): arrow.Data[] {
  const cx = new TakeContext(indices, count);
  return columns.map((c) => take(c, cx));
}

/** Rows `indices` of every column of a batch. */
export function takeBatch(b: arrow.RecordBatch, indices: Indices, count = indices.length): arrow.RecordBatch {
  return batchFromColumns(b.schema, takeColumns(b.data.children, indices, count), count);
}
