/**
 * One flat column of a batch as a Parquet leaf: its non-NULL values PLAIN-encoded, its validity as
 * bits (the definition levels of an OPTIONAL leaf at bit width 1 are these bits, bit-packed), and
 * its statistics (null count; min and max as PLAIN bytes, by the type's sort order: signed for
 * integers, IEEE without NaN for floats, unsigned bytes for strings).
 *
 * Read straight from the Arrow column's arrays (typed values, Utf8 offsets and bytes); a column held
 * otherwise goes through readerFor's values (slower, same bytes).
 */
import * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';

export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY';

export interface LeafPage {
  /** the non-NULL values, PLAIN */
  readonly values: Uint8Array;
  /** bit i set: row i is not NULL (LSB first); undefined: no NULLs */
  readonly validBits: Uint8Array | undefined;
  readonly nullCount: number;
  readonly min: Uint8Array | undefined;
  readonly max: Uint8Array | undefined;
}

/** The physical type of a flat SQL type, or undefined when the fast writer does not write it. */
export function physicalTypeOf(t: SqlType): PhysicalType | undefined {
  switch (t.kind) {
    case 'BOOLEAN': return 'BOOLEAN';
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'DATE': return 'INT32';
    case 'BIGINT': case 'TIMESTAMP': return 'INT64';
    case 'DECIMAL': return t.precision <= 18 ? 'INT64' : undefined;
    case 'FLOAT': return 'FLOAT';
    case 'DOUBLE': case 'INTERVAL': return 'DOUBLE';
    case 'VARCHAR': return 'BYTE_ARRAY';
    default: return undefined;
  }
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The validity bits of rows [0, n) starting at bit 0, or undefined without NULLs. */
function validBitsOf(d: arrow.Data, n: number): Uint8Array | undefined {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return undefined;
  const bm = d.nullBitmap, off = d.offset;
  if ((off & 7) === 0) return bm.subarray(off >> 3, (off >> 3) + ((n + 7) >> 3));
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

const isValid = (bits: Uint8Array | undefined, i: number): boolean => bits === undefined || ((bits[i >> 3]! >> (i & 7)) & 1) === 1;

/** The valid elements of typed array `v` (all of it when there are no NULLs). */
function compact<A extends Int32Array | Float32Array | Float64Array | BigInt64Array>(v: A, n: number, bits: Uint8Array | undefined, nulls: number): A {
  if (bits === undefined) return v.subarray(0, n) as A;
  const out = new (v.constructor as new (k: number) => A)(n - nulls);
  let k = 0;
  for (let i = 0; i < n; i++) if ((bits[i >> 3]! >> (i & 7)) & 1) out[k++] = v[i]!;
  return out;
}

function int32Page(v: Int32Array, bits: Uint8Array | undefined, nulls: number): LeafPage {
  if (v.length === 0) return { values: new Uint8Array(0), validBits: bits, nullCount: nulls, min: undefined, max: undefined };
  let min = v[0]!, max = v[0]!;
  for (let i = 1; i < v.length; i++) { const x = v[i]!; if (x < min) min = x; else if (x > max) max = x; }
  return { values: bytesOf(v), validBits: bits, nullCount: nulls, min: bytesOf(Int32Array.of(min)), max: bytesOf(Int32Array.of(max)) };
}

function int64Page(v: BigInt64Array, bits: Uint8Array | undefined, nulls: number): LeafPage {
  if (v.length === 0) return { values: new Uint8Array(0), validBits: bits, nullCount: nulls, min: undefined, max: undefined };
  // compare as (signed high word, unsigned low word): no BigInt per value
  const w = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  let minI = 0, maxI = 0;
  for (let i = 1; i < v.length; i++) {
    const hi = w[2 * i + 1]!, lo = w[2 * i]! >>> 0;
    const mh = w[2 * minI + 1]!, xh = w[2 * maxI + 1]!;
    if (hi < mh || (hi === mh && lo < w[2 * minI]! >>> 0)) minI = i;
    if (hi > xh || (hi === xh && lo > w[2 * maxI]! >>> 0)) maxI = i;
  }
  return { values: bytesOf(v), validBits: bits, nullCount: nulls, min: bytesOf(v.slice(minI, minI + 1)), max: bytesOf(v.slice(maxI, maxI + 1)) };
}

function floatPage(v: Float32Array | Float64Array, bits: Uint8Array | undefined, nulls: number): LeafPage {
  let min = Infinity, max = -Infinity, any = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) continue; // NaN is left out of the bounds (Parquet's rule)
    any = true;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  // a zero bound is written -0.0 as min and +0.0 as max, so either zero falls inside
  if (min === 0) min = -0;
  if (max === 0) max = 0;
  const Ctor = v instanceof Float32Array ? Float32Array : Float64Array;
  return {
    values: bytesOf(v), validBits: bits, nullCount: nulls,
    min: any ? bytesOf(Ctor.of(min)) : undefined, max: any ? bytesOf(Ctor.of(max)) : undefined,
  };
}

/**
 * Unsigned byte order of two ranges of `b` (`v` a DataView of the same bytes). Four bytes at a time
 * as big-endian words while both ranges have them: values with a long common prefix (URLs) are
 * compared twice a value for the page's bounds.
 */
function compareBytes(b: Uint8Array, v: DataView, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v.getUint32(a0 + i);
    const y = v.getUint32(b0 + i);
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    const d = b[a0 + i]! - b[b0 + i]!;
    if (d !== 0) return d;
  }
  return (a1 - a0) - (b1 - b0);
}

/**
 * Values shorter than this are copied byte by byte; longer ones by `set` of a view (a native copy,
 * which beats the loop from about this length on, the view's allocation included).
 */
const SHORT_VALUE = 32;

/** A Utf8 column (offsets into `bytes`) as 4-byte lengths and bytes, with its byte-order bounds. */
function stringPage(o: Int32Array, bytes: Uint8Array, n: number, bits: Uint8Array | undefined, nulls: number): LeafPage {
  const out = new Uint8Array((n - nulls) * 4 + (o[n]! - o[0]!));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0, minI = -1, maxI = -1;
  for (let i = 0; i < n; i++) {
    if (bits !== undefined && ((bits[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    const s = o[i]!, e = o[i + 1]!, len = e - s;
    out[p] = len & 0xff; out[p + 1] = (len >>> 8) & 0xff; out[p + 2] = (len >>> 16) & 0xff; out[p + 3] = len >>> 24;
    p += 4;
    if (len < SHORT_VALUE) for (let k = s; k < e; k++) out[p++] = bytes[k]!; // no view per short value
    else { out.set(bytes.subarray(s, e), p); p += len; }
    if (minI < 0) { minI = maxI = i; continue; }
    if (compareBytes(bytes, view, s, e, o[minI]!, o[minI + 1]!) < 0) minI = i;
    else if (compareBytes(bytes, view, s, e, o[maxI]!, o[maxI + 1]!) > 0) maxI = i;
  }
  return {
    values: out.subarray(0, p), validBits: bits, nullCount: nulls,
    min: minI < 0 ? undefined : bytes.slice(o[minI]!, o[minI + 1]!),
    max: maxI < 0 ? undefined : bytes.slice(o[maxI]!, o[maxI + 1]!),
  };
}

function booleanPage(read: (i: number) => unknown, n: number, bits: Uint8Array | undefined, nulls: number): LeafPage {
  const out = new Uint8Array((n - nulls + 7) >> 3);
  let k = 0, seenTrue = false, seenFalse = false;
  for (let i = 0; i < n; i++) {
    if (!isValid(bits, i)) continue;
    if (read(i) === true) { out[k >> 3]! |= 1 << (k & 7); seenTrue = true; } else seenFalse = true;
    k++;
  }
  const any = seenTrue || seenFalse;
  return { values: out, validBits: bits, nullCount: nulls, min: any ? Uint8Array.of(seenFalse ? 0 : 1) : undefined, max: any ? Uint8Array.of(seenTrue ? 1 : 0) : undefined };
}

const utf8 = new TextEncoder();

/** Values as given by `read` (numbers, bigints, strings) into the typed forms above. */
function pageFromValues(type: PhysicalType, readAny: (i: number) => unknown, n: number, bitsGiven: Uint8Array | undefined): LeafPage {
  // the validity from the values themselves, so the levels and the values written always agree
  const read = (i: number): unknown => (isValid(bitsGiven, i) ? readAny(i) : null);
  const valid: number[] = [];
  const own = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (v !== null && v !== undefined) { valid.push(i); own[i >> 3]! |= 1 << (i & 7); }
  }
  const nulls = n - valid.length;
  const bits = nulls === 0 ? undefined : own;
  switch (type) {
    case 'BOOLEAN': return booleanPage(read, n, bits, nulls);
    case 'INT32': return int32Page(Int32Array.from(valid, (i) => Number(read(i))), bits, nulls);
    case 'INT64': return int64Page(BigInt64Array.from(valid, (i) => BigInt(read(i) as number | bigint)), bits, nulls);
    case 'FLOAT': return floatPage(Float32Array.from(valid, (i) => Number(read(i))), bits, nulls);
    case 'DOUBLE': return floatPage(Float64Array.from(valid, (i) => Number(read(i))), bits, nulls);
    case 'BYTE_ARRAY': {
      const parts = valid.map((i) => utf8.encode(String(read(i))));
      const offsets = new Int32Array(parts.length + 1);
      parts.forEach((b, k) => { offsets[k + 1] = offsets[k]! + b.length; });
      const all = new Uint8Array(offsets[parts.length]!);
      parts.forEach((b, k) => all.set(b, offsets[k]!));
      const page = stringPage(offsets, all, parts.length, undefined, 0);
      return { ...page, validBits: bits, nullCount: nulls };
    }
  }
}

/** Column `d` (`n` rows) of SQL type `t` as a leaf page. */
export function leafPage(t: SqlType, d: arrow.Data, n: number): LeafPage {
  const type = physicalTypeOf(t);
  if (type === undefined) throw new InternalError(`parquet-leaf: no flat physical type for ${t.kind}`);
  const bits = validBitsOf(d, n);
  const nulls = bits === undefined ? 0 : d.nullCount;
  const v = d.values as unknown;
  switch (type) {
    case 'INT32':
      if (v instanceof Int32Array) return int32Page(compact(v, n, bits, nulls), bits, nulls);
      if (v instanceof Int8Array || v instanceof Int16Array) return int32Page(compact(Int32Array.from(v.subarray(0, n)), n, bits, nulls), bits, nulls);
      break;
    case 'INT64':
      if (v instanceof BigInt64Array) return int64Page(compact(v, n, bits, nulls), bits, nulls);
      break;
    case 'FLOAT': case 'DOUBLE':
      if (type === 'FLOAT' ? v instanceof Float32Array : v instanceof Float64Array) return floatPage(compact(v as Float64Array, n, bits, nulls), bits, nulls);
      break;
    case 'BYTE_ARRAY':
      if (d.typeId === arrow.Type.Utf8) return stringPage(d.valueOffsets as Int32Array, d.values as Uint8Array, n, bits, nulls);
      break;
    case 'BOOLEAN':
      return booleanPage(readerFor(d), n, bits, nulls);
  }
  return pageFromValues(type, readerFor(d), n, bits);
}

/** A string column given as JS strings (the changelog's `_op`), NULL where null or empty. */
export function stringLeafPage(values: readonly (string | null)[]): LeafPage {
  return pageFromValues('BYTE_ARRAY', (i) => values[i] || null, values.length, undefined);
}
