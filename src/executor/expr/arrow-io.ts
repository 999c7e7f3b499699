/**
 * The two borders of the expression kernels: an Arrow column into an internal vector (at column
 * references) and a vector back into an Arrow column (at the output). Everything in between works on
 * typed arrays (vector.ts).
 *
 * Int64 columns (BIGINT, TIMESTAMP) are read and written through an Int32 view of their buffer:
 * hi * 2^32 + lo is exact for |x| ≤ 2^53 and avoids one BigInt per row. Weir only runs on
 * little-endian machines (x86, ARM); the check below refuses a big-endian one outright.
 *
 * Offsets follow arrow-js: `Data.slice` narrows the value and value-offset buffers themselves, so
 * row i of any Data is values[i] / valueOffsets[i]; `offset` only addresses bitmaps (the validity
 * bitmap and Bool values). Struct children are sliced along with their parent.
 */
import { Buffer } from 'node:buffer';
import * as arrow from 'apache-arrow';
import { bitmapFromMask, columnFromValues, makeAny, readerFor } from '../../common/columns.js';
import { collectionReader } from '../../common/collections.js';
import { assertNever, InternalError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import '../../common/arrow-binding.js';
import { isWideDecimal, toArrowType } from '../../common/types.js';
import { decimal128ToNumbers, numbersToDecimal128 } from '../../common/decimal128.js';
import type { Alloc } from './pool.js';
import { HEAP } from './pool.js';
import type { BoolVec, NumVec, ObjVec, RowVec, Valid, Vec } from './vector.js';
import { boolVec, exactLane, nullVec, numVec, objVec, rowVec, StrVec } from './vector.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new InternalError('Weir needs a little-endian machine');
}

const TWO32 = 4294967296;
const MS_PER_DAY = 86_400_000;

/** The validity mask of an Arrow column (null when it has no nulls). */
export function readValidity(d: arrow.Data, alloc: Alloc = HEAP): Valid {
  if (d.typeId === arrow.Type.Null) return new Uint8Array(d.length);
  const bm = d.nullBitmap;
  if (d.nullCount === 0 || !bm || bm.length === 0) return null;
  const n = d.length, off = d.offset;
  const out = alloc.u8(n);
  if ((off & 7) === 0) {
    // byte-aligned: unpack eight rows per bitmap byte
    const b0 = off >> 3;
    const full = n >> 3;
    for (let k = 0; k < full; k++) {
      const byte = bm[b0 + k]!;
      const i = k << 3;
      out[i] = byte & 1; out[i + 1] = (byte >> 1) & 1; out[i + 2] = (byte >> 2) & 1; out[i + 3] = (byte >> 3) & 1;
      out[i + 4] = (byte >> 4) & 1; out[i + 5] = (byte >> 5) & 1; out[i + 6] = (byte >> 6) & 1; out[i + 7] = (byte >> 7) & 1;
    }
    for (let i = full << 3; i < n; i++) out[i] = (bm[b0 + (i >> 3)]! >> (i & 7)) & 1;
  } else {
    for (let i = 0; i < n; i++) { const j = off + i; out[i] = (bm[j >> 3]! >> (j & 7)) & 1; }
  }
  return out;
}

/**
 * Int64 values as doubles, and whether some value may be beyond 2^53: there the doubles are not
 * exact and the vector keeps the int64s too (NumVec.big). One pass: the high words' range is tracked
 * while converting.
 */
function int64ToNumbers(values: BigInt64Array, n: number, alloc: Alloc): { out: Float64Array; wide: boolean } {
  const w = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const out = alloc.f64(n);
  let m = 0; // the largest high word's magnitude (h ^ h >> 31: h, or -h - 1 below zero)
  for (let i = 0; i < n; i++) {
    const h = w[2 * i + 1]!;
    out[i] = h * TWO32 + (w[2 * i]! >>> 0);
    m = Math.max(m, h ^ (h >> 31));
  }
  // a high word at ±2^21 or beyond holds values from ±2^53 on (-2^21 also some safe ones: a lane then
  // costs nothing but memory)
  return { out, wide: m >= 2097151 };
}

/** Doubles holding integers as Int64 (truncated toward zero; NaN and infinities become 0). */
export function numbersToInt64(v: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const w = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    let x = v[i]!;
    if (x >= -2147483648 && x <= 2147483647) {
      x = x | 0; // truncates toward zero
      w[2 * i] = x;
      w[2 * i + 1] = x < 0 ? -1 : 0;
    } else if (x === x && x !== Infinity && x !== -Infinity) {
      x = Math.trunc(x);
      const hi = Math.floor(x / TWO32);
      w[2 * i] = (x - hi * TWO32) | 0;
      w[2 * i + 1] = hi | 0;
    }
  }
  return out;
}

function timestampScale(unit: arrow.TimeUnit): number {
  switch (unit) {
    case arrow.TimeUnit.SECOND: return 1000;
    case arrow.TimeUnit.MILLISECOND: return 1;
    case arrow.TimeUnit.MICROSECOND: return 1e-3;
    case arrow.TimeUnit.NANOSECOND: return 1e-6;
    default: return 1;
  }
}

/** An Arrow column as an internal vector of SQL type `t` (the column's declared type). */
export function readColumn(d: arrow.Data, t: SqlType, alloc: Alloc = HEAP): Vec {
  const n = d.length, off = d.offset;
  const valid = readValidity(d, alloc);
  switch (d.typeId) {
    case arrow.Type.Null:
      return nullVec(t, n);
    case arrow.Type.Bool: {
      const bits = d.values as Uint8Array;
      const out = alloc.u8(n);
      for (let i = 0; i < n; i++) { const j = off + i; out[i] = (bits[j >> 3]! >> (j & 7)) & 1; }
      return boolVec(out, valid);
    }
    case arrow.Type.Float: {
      const vals = d.values as Float64Array | Float32Array;
      if (vals instanceof Float64Array) return numVec(vals.length === n ? vals : vals.subarray(0, n), valid); // zero-copy
      const out = alloc.f64(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]!;
      return numVec(out, valid);
    }
    case arrow.Type.Int: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const vals = d.values as ArrayLike<number | bigint>;
      let out: Float64Array;
      let wide = false;
      if (vals instanceof BigInt64Array) ({ out, wide } = int64ToNumbers(vals, n, alloc));
      else if (vals instanceof BigUint64Array) out = Float64Array.from(vals.subarray(0, n), Number);
      else {
        const src = vals as Int32Array;
        out = alloc.f64(n);
        for (let i = 0; i < n; i++) out[i] = src[i]!;
      }
      if (d.typeId === arrow.Type.Timestamp) {
        const k = timestampScale((d.type as arrow.Timestamp).unit);
        if (k !== 1) for (let i = 0; i < n; i++) out[i] = Math.floor(out[i]! * k);
      } else if (d.typeId === arrow.Type.Date && (d.type as arrow.Date_).unit === arrow.DateUnit.MILLISECOND) {
        for (let i = 0; i < n; i++) out[i] = Math.floor(out[i]! / MS_PER_DAY);
      } else if (wide) {
        return numVec(out, valid, (vals as BigInt64Array).subarray(0, n));
      }
      return numVec(out, valid);
    }
    case arrow.Type.Decimal: { // DECIMAL(p > 18): 128-bit unscaled values (common/decimal128.ts)
      const out = alloc.f64(n);
      const exact = decimal128ToNumbers(d.values as Uint32Array, n, out);
      return numVec(out, valid, exact && exactLane(exact));
    }
    case arrow.Type.Utf8:
      return new StrVec(n, valid, { offsets: d.valueOffsets as Int32Array, bytes: d.values as Uint8Array, base: 0 }, null);
    case arrow.Type.Dictionary: {
      const dict = dictionaryStrings(d);
      const idx = d.values as Int32Array;
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = valid === null || valid[i] === 1 ? dict[Number(idx[i])] ?? '' : '';
      return StrVec.of(out, valid);
    }
    case arrow.Type.Struct: {
      const fields = t.kind === 'ROW' ? t.fields : [];
      // arrow-js slices struct children along with the parent: parent row i is child row i.
      return rowVec(n, valid, (k) => readColumn(d.children[k]!, fields[k]!.type, alloc));
    }
    case arrow.Type.List: case arrow.Type.Map: {
      const out = new Array<unknown>(n);
      const read = collectionReader(d, readerFor);
      for (let i = 0; i < n; i++) out[i] = valid === null || valid[i] === 1 ? read(i) : null;
      return objVec(out, valid === null ? null : Uint8Array.from(valid));
    }
    default:
      throw new InternalError(`expression kernels cannot read Arrow type ${String(d.type)}`);
  }
}

const dictCache = new WeakMap<object, string[]>();
function dictionaryStrings(d: arrow.Data): string[] {
  const vec = d.dictionary!;
  let out = dictCache.get(vec);
  if (!out) {
    out = [];
    for (const v of vec) out.push(v == null ? '' : String(v));
    dictCache.set(vec, out);
  }
  return out;
}

// ─── vectors to Arrow ──────────────────────────────────────────────────────────────────────────

function bitmap(valid: Valid, n: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  return valid === null ? { bitmap: undefined, nullCount: 0 } : bitmapFromMask(valid, n);
}

/** An internal vector as an Arrow column of SQL type `t`. */
export function toData(v: Vec, t: SqlType, keep: (b: ArrayBufferLike) => void = () => {}): arrow.Data {
  const n = v.length;
  if (t.kind === 'NULL') return arrow.makeData({ type: new arrow.Null(), length: n, nullCount: n });
  const { bitmap: nullBitmap, nullCount } = bitmap(v.valid, n);
  const type = toArrowType(t);
  const base = { type, length: n, nullCount, nullBitmap };
  switch (t.kind) {
    case 'BOOLEAN': {
      const vals = (v as BoolVec).values;
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (vals[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
      return makeAny({ ...base, data: bits });
    }
    case 'TINYINT': return makeAny({ ...base, data: Int8Array.from((v as NumVec).values, toInt) });
    case 'SMALLINT': return makeAny({ ...base, data: Int16Array.from((v as NumVec).values, toInt) });
    case 'INT': case 'DATE': return makeAny({ ...base, data: Int32Array.from((v as NumVec).values, toInt) });
    case 'FLOAT': return makeAny({ ...base, data: Float32Array.from((v as NumVec).values) });
    case 'DOUBLE': case 'INTERVAL': {
      const values = (v as NumVec).values;
      keep(values.buffer); // zero-copy: the column now owns this memory
      return makeAny({ ...base, data: values });
    }
    case 'BIGINT': case 'DECIMAL': { // a DECIMAL is its unscaled integer (common/decimal.ts)
      const big = (v as NumVec).big;
      if (isWideDecimal(t)) return makeAny({ ...base, data: numbersToDecimal128((v as NumVec).values, big, n) });
      return makeAny({ ...base, data: big !== undefined ? (big instanceof BigInt64Array ? big.slice(0, n) : BigInt64Array.from(big.slice(0, n))) : numbersToInt64((v as NumVec).values, n) });
    }
    case 'TIMESTAMP': return makeAny({ ...base, data: numbersToInt64((v as NumVec).values, n) });
    case 'VARCHAR': return utf8Data(v as StrVec, base);
    case 'ROW': {
      const r = v as RowVec;
      const children = t.fields.map((f, k) => toData(r.field(k), f.type, keep));
      return makeAny({ ...base, children });
    }
    case 'ARRAY': case 'MAP': case 'MULTISET': {
      const o = v as ObjVec;
      const vals = o.valid === null ? o.values : o.values.map((x, i) => (o.valid![i] === 1 ? x : null));
      return columnFromValues(t, vals);
    }
    default: return assertNever(t, 'type');
  }
}

const toInt = (x: number): number => (x === x ? x : 0);

function utf8Data(s: StrVec, base: { type: arrow.DataType; length: number; nullCount: number; nullBitmap: Uint8Array | undefined }): arrow.Data {
  const n = s.length;
  const u = s.utf8;
  if (u) {
    // Bytes straight from an input column: copy the row range and rebase its offsets.
    const start = u.offsets[u.base]!, end = u.offsets[u.base + n]!;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = u.offsets[u.base + i]! - start;
    return makeAny({ ...base, valueOffsets: offsets, data: u.bytes.subarray(start, end) });
  }
  const strs = s.strings();
  let bound = 0;
  for (let i = 0; i < n; i++) bound += strs[i]!.length;
  const buf = Buffer.allocUnsafe(bound * 3);
  const offsets = new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const str = strs[i]!;
    if (str.length > 0) pos += buf.write(str, pos, 'utf8');
    offsets[i + 1] = pos;
  }
  const bytes = new Uint8Array(pos);
  bytes.set(buf.subarray(0, pos));
  return makeAny({ ...base, valueOffsets: offsets, data: bytes });
}
