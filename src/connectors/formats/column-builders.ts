/**
 * Columns the streaming decoders build often, built without a value per element: a column of NULLs
 * for each column the query does not read (zeroed buffers, no array of nulls to scan), and 64-bit
 * integer columns written through two 32-bit halves instead of a BigInt per value.
 */
import * as arrow from 'apache-arrow';
import { bitmapFromMask, columnFromValues, nullColumn, writeUtf8 } from '../../common/columns.js';
import '../../common/arrow-binding.js';
import { toArrowType, type SqlType } from '../../common/types.js';

const TWO_32 = 4294967296;

/** Row i of an int64 column seen as 32-bit halves := the safe integer v (v = hi * 2^32 + lo, lo in [0, 2^32); hi's two's complement is the high word). */
export function setSafeInt64(halves: Uint32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  halves[2 * i] = v - hi * TWO_32;
  halves[2 * i + 1] = hi >>> 0;
}

/**
 * Zeros shared by every all-NULL column: a column the query does not read is read by no one, and
 * Arrow buffers are never written once built nor transferred to another thread (what crosses is an
 * IPC copy), so its buffers can all be views of one zeroed ArrayBuffer instead of new zeroed memory
 * for each column of each piece (which, as external memory, also brought on garbage collections).
 */
let zeros = new ArrayBuffer(1 << 16);
function zeroBytes(bytes: number): ArrayBuffer {
  if (bytes > zeros.byteLength) zeros = new ArrayBuffer(Math.max(bytes, zeros.byteLength * 2));
  return zeros;
}

/** `length` NULLs of type `t`. */
export function allNullColumn(t: SqlType, length: number): arrow.Data {
  const z = zeroBytes(8 * (length + 1));
  const nullBitmap = new Uint8Array(z, 0, (length + 7) >> 3);
  const base = { length, nullCount: length, nullBitmap };
  switch (t.kind) {
    case 'TINYINT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int8, data: new Int8Array(z, 0, length) });
    case 'SMALLINT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int16, data: new Int16Array(z, 0, length) });
    case 'INT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int32, data: new Int32Array(z, 0, length) });
    case 'DATE': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.DateDay, data: new Int32Array(z, 0, length) });
    case 'BIGINT': case 'DECIMAL':
      return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int64, data: new BigInt64Array(z, 0, length) });
    case 'TIMESTAMP': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.TimestampMillisecond, data: new BigInt64Array(z, 0, length) });
    case 'FLOAT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Float32, data: new Float32Array(z, 0, length) });
    case 'DOUBLE': case 'INTERVAL': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Float64, data: new Float64Array(z, 0, length) });
    case 'VARCHAR':
      return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Utf8, valueOffsets: new Int32Array(z, 0, length + 1), data: new Uint8Array(0) });
    default: return nullColumn(t, length);
  }
}

/** A column from converted values (as convertValue gives them); BIGINT and TIMESTAMP without BigInts. */
export function columnOf(t: SqlType, values: readonly unknown[]): arrow.Data {
  if (t.kind !== 'BIGINT' && t.kind !== 'TIMESTAMP') return columnFromValues(t, values);
  const n = values.length;
  const data = new BigInt64Array(n);
  const halves = new Uint32Array(data.buffer);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    valid[i] = 1;
    if (typeof v === 'number') {
      setSafeInt64(halves, i, v);
    } else {
      data[i] = v as bigint;
    }
  }
  const { bitmap, nullCount } = bitmapFromMask(valid, n);
  const type = toArrowType(t) as arrow.Int64;
  return arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, data });
}

/** The types a NumberColumn holds: JS numbers (safe integers for the integer types) in a typed array. */
const NUMBER_KINDS = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'TIMESTAMP', 'DOUBLE']);

/**
 * A column of numbers while a decoder fills it: a Float64Array and a validity mask instead of an
 * array of values, so a million cells cost no array growth nor a boxed value each. A value it cannot
 * hold exactly (a BIGINT beyond 2^53 is a bigint; any number not a safe integer for the integer types) turns it into a plain list for the rest: the column
 * comes out as columnOf would build it from the same values.
 */
export class NumberColumn {
  private values: Float64Array;
  private valid: Uint8Array;
  private n = 0;
  /** the values as a list, once one was not a number */
  private list: unknown[] | undefined;

  /** whether values must be safe integers (every type but DOUBLE): any other number goes the list's way */
  private readonly integral: boolean;

  private constructor(private readonly t: SqlType, capacity: number) {
    this.integral = t.kind !== 'DOUBLE';
    this.values = new Float64Array(Math.max(16, capacity));
    this.valid = new Uint8Array(this.values.length);
  }

  /** A NumberColumn for type `t` (room for `capacity` values before it grows), or undefined when `t` is not one it holds. */
  static of(t: SqlType, capacity = 1024): NumberColumn | undefined {
    return NUMBER_KINDS.has(t.kind) ? new NumberColumn(t, capacity) : undefined;
  }

  push(v: unknown): void {
    if (this.list !== undefined) { this.list.push(v ?? null); return; }
    const n = this.n;
    if (n === this.values.length) this.grow();
    if (typeof v === 'number' && (!this.integral || Number.isSafeInteger(v))) {
      this.values[n] = v;
      this.valid[n] = 1;
    } else if (v !== null && v !== undefined) {
      this.list = this.asList();
      this.list.push(v);
      return;
    }
    this.n = n + 1;
  }

  private grow(): void {
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    const valid = new Uint8Array(values.length);
    valid.set(this.valid);
    this.values = values;
    this.valid = valid;
  }

  private asList(): unknown[] {
    const out: unknown[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.valid[i] === 1 ? this.values[i] : null;
    return out;
  }

  finish(): arrow.Data {
    if (this.list !== undefined) return columnOf(this.t, this.list);
    const n = this.n;
    const vals = this.values.subarray(0, n);
    const { bitmap, nullCount } = bitmapFromMask(this.valid, n);
    const type = toArrowType(this.t);
    const base = { length: n, nullCount, nullBitmap: bitmap };
    switch (this.t.kind) {
      case 'TINYINT': return arrow.makeData({ ...base, type: type as arrow.Int8, data: Int8Array.from(vals) });
      case 'SMALLINT': return arrow.makeData({ ...base, type: type as arrow.Int16, data: Int16Array.from(vals) });
      case 'INT': return arrow.makeData({ ...base, type: type as arrow.Int32, data: Int32Array.from(vals) });
      case 'DOUBLE': return arrow.makeData({ ...base, type: type as arrow.Float64, data: vals.slice() });
      default: { // BIGINT, TIMESTAMP: safe integers, written as two 32-bit halves
        const data = new BigInt64Array(n);
        const halves = new Uint32Array(data.buffer);
        for (let i = 0; i < n; i++) setSafeInt64(halves, i, vals[i]!);
        return arrow.makeData({ ...base, type: type as arrow.Int64, data });
      }
    }
  }
}

/**
 * A cell's text as a range of bytes of the piece being decoded (valid UTF-8, no escapes): what a
 * scanner gives a VARCHAR column instead of a string, so the text goes from the file's bytes to
 * the column's bytes without a JS string between (making the string and encoding it again was a
 * fifth of a file scan's time). A decoder keeps one per column and sets it for each cell; the
 * collector copies the bytes when the record is added.
 */
export class ByteSpan {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;

  set(bytes: Uint8Array, start: number, end: number): this {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    return this;
  }
}

/**
 * A VARCHAR column while a decoder fills it: bytes and offsets growing as cells come (strings
 * encoded, ByteSpans copied), the same column columnOf builds from the strings.
 */
export class Utf8Column {
  private bytes: Uint8Array;
  private offsets: Int32Array;
  private valid: Uint8Array;
  private n = 0;
  private total = 0;

  constructor(capacity = 1024) {
    const rows = Math.max(16, capacity);
    this.offsets = new Int32Array(rows + 1);
    this.valid = new Uint8Array(rows);
    this.bytes = new Uint8Array(rows * 16);
  }

  /** a string, a ByteSpan, or null/undefined (NULL) */
  push(v: unknown): void {
    const n = this.n;
    if (n === this.valid.length) this.growRows();
    if (v instanceof ByteSpan) {
      const len = v.end - v.start;
      if (this.total + len > this.bytes.length) this.room(len);
      const out = this.bytes;
      const src = v.bytes;
      const at = this.total;
      // short cells byte by byte: a view per cell for set() costs more than the copy (and a plain
      // Uint8Array view, not a Buffer's subarray, whose species constructor costs a third more)
      if (len <= 32) for (let k = 0; k < len; k++) out[at + k] = src[v.start + k]!;
      else out.set(new Uint8Array(src.buffer, src.byteOffset + v.start, len), at);
      this.total = at + len;
      this.valid[n] = 1;
    } else if (typeof v === 'string') {
      const len = v.length;
      if (this.total + len * 3 > this.bytes.length) this.room(len * 3);
      this.total += writeUtf8(v, this.bytes, this.total);
      this.valid[n] = 1;
    }
    this.n = n + 1;
    this.offsets[n + 1] = this.total;
  }

  /** Grow the bytes to take `len` more. */
  private room(len: number): void {
    if (this.total + len <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.total + len));
    grown.set(this.bytes.subarray(0, this.total));
    this.bytes = grown;
  }

  private growRows(): void {
    const offsets = new Int32Array(this.valid.length * 2 + 1);
    offsets.set(this.offsets);
    const valid = new Uint8Array(this.valid.length * 2);
    valid.set(this.valid);
    this.offsets = offsets;
    this.valid = valid;
  }

  finish(): arrow.Data<arrow.Utf8> {
    const n = this.n;
    const { bitmap, nullCount } = bitmapFromMask(this.valid, n);
    // the exact bytes: a column outlives its decoding, and the doubling may have left half unused
    const data = this.bytes.slice(0, this.total);
    return arrow.makeData({ type: new arrow.Utf8(), length: n, nullCount, nullBitmap: bitmap, valueOffsets: this.offsets.slice(0, n + 1), data });
  }
}
