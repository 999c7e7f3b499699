/**
 * Column builders for the generator's hot loop: 64-bit integers written as two 32-bit halves (no
 * BigInt per row), Utf8 columns filled by byte copies, and all-null struct columns that cost nothing.
 *
 * Every struct child shares its struct's validity bitmap: a kernel that reads `bid.price` without
 * looking at `bid`'s own validity still sees NULL on person and auction rows.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../../common/errors.js';
import { makeAny } from '../../common/columns.js';
import { drawText, type TextSource } from './random.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new InternalError('the nexmark generator writes 64-bit integers as two little-endian halves');
}

const TWO_32 = 4294967296;

/** A BIGINT/TIMESTAMP column written through an Int32Array view of its BigInt64Array. */
export class I64Out {
  readonly big: BigInt64Array;
  readonly i32: Int32Array;
  constructor(rows: number) {
    this.big = new BigInt64Array(rows);
    this.i32 = new Int32Array(this.big.buffer, 0, rows * 2);
  }

  /** Row i := v, for integers |v| < 2^53. */
  set(i: number, v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.i32[2 * i] = (v - hi * TWO_32) | 0;
    this.i32[2 * i + 1] = hi | 0;
  }
}

/**
 * A Utf8 column built row by row; rows never begun are empty (they are the struct's null rows).
 *
 * Short values are copied byte by byte; longer ones (the 60–80 byte `extra` and `url` values) with
 * one native copy (`Uint8Array.set`). Measured on the generator's hot loop, the native copy of a
 * fresh subarray is several times faster than the eight-bytes-at-a-time DataView loop used before.
 */
export class Utf8Out {
  offsets: Int32Array;
  data: Uint8Array;
  pos = 0;
  /** the first row whose start offset is not written yet */
  private next = 0;

  constructor(rows: number, capacity: number) {
    this.offsets = new Int32Array(rows + 1);
    this.data = new Uint8Array(Math.max(64, capacity));
  }

  /** Start row i, which will take at most `maxLength` bytes. */
  begin(i: number, maxLength: number): void {
    if (this.pos + maxLength + COPY_SLACK > this.data.length) this.grow(maxLength + COPY_SLACK);
    const off = this.offsets;
    const p = this.pos;
    for (let k = this.next + 1; k <= i; k++) off[k] = p;
  }

  /** Append `length` bytes of `src` from `start`. */
  slice(src: Uint8Array, start: number, length: number): void {
    const d = this.data;
    const p = this.pos;
    if (length <= SHORT_COPY) for (let k = 0; k < length; k++) d[p + k] = src[start + k]!;
    else d.set(src.subarray(start, start + length), p);
    this.pos = p + length;
  }

  /**
   * Append bytes [start, start + length) of `src`, each drawn anew (the full-field mode: the same
   * bytes `slice` would copy from `src.bytes`, at the reference generator's cost: two draws a
   * character of a text with spaces, one draw for six letters of a text of letters only).
   */
  drawn(src: TextSource, start: number, length: number): void {
    drawText(src.salt, src.special, this.data, this.pos, start, length);
    this.pos += length;
  }

  byte(b: number): void {
    this.data[this.pos++] = b;
  }

  end(i: number): void {
    this.offsets[i + 1] = this.pos;
    this.next = i + 1;
  }

  /** The column for `rows` rows (trailing rows empty), sharing `bitmap` as its validity. */
  finish(rows: number, bitmap: Uint8Array, nullCount: number): arrow.Data<arrow.Utf8> {
    const off = this.offsets;
    for (let k = this.next + 1; k <= rows; k++) off[k] = this.pos;
    // Keep the buffer only when it is mostly used: batches may be held in operator state.
    const data = this.pos < this.data.length * 0.75 ? this.data.slice(0, this.pos) : this.data.subarray(0, this.pos);
    return arrow.makeData({
      type: new arrow.Utf8(), length: rows, nullCount, nullBitmap: nullCount === 0 ? undefined : bitmap,
      valueOffsets: off, data,
    });
  }

  private grow(need: number): void {
    const bigger = new Uint8Array(Math.max(this.data.length * 2, this.pos + need));
    bigger.set(this.data.subarray(0, this.pos));
    this.data = bigger;
  }
}

/** Spare room `begin` keeps after a value (kept from when copies could overrun a value by 7 bytes). */
export const COPY_SLACK = 8;
/** Values up to this many bytes are copied in a loop: cheaper than making a subarray. */
const SHORT_COPY = 16;

/** Wrap a finished 64-bit column. */
export function i64Data(col: I64Out, type: arrow.Int64 | arrow.TimestampMillisecond, rows: number,
  bitmap: Uint8Array, nullCount: number): arrow.Data {
  return makeAny({ type, length: rows, nullCount, nullBitmap: nullCount === 0 ? undefined : bitmap, data: col.big });
}

/** Set bit i of a validity bitmap. */
export function setValid(bitmap: Uint8Array, i: number): void {
  bitmap[i >> 3]! |= 1 << (i & 7);
}

// ---------------------------------------------------------------------------------------------
// All-null columns for pruned structs: views of one shared zero buffer, so a pruned struct costs no
// allocation per batch. Nothing in Weir writes into input columns, so the sharing is safe.

let zeros = new ArrayBuffer(0);

function zeroBytes(bytes: number): ArrayBuffer {
  if (zeros.byteLength < bytes) zeros = new ArrayBuffer(Math.max(bytes, zeros.byteLength * 2));
  return zeros;
}

function nullChild(type: arrow.DataType, rows: number, bitmap: Uint8Array): arrow.Data {
  const base = { type, length: rows, nullCount: rows, nullBitmap: bitmap };
  switch (type.typeId) {
    case arrow.Type.Int:
    case arrow.Type.Timestamp:
      return makeAny({ ...base, data: new BigInt64Array(zeroBytes(rows * 8), 0, rows) });
    case arrow.Type.Utf8:
      return makeAny({ ...base, valueOffsets: new Int32Array(zeroBytes((rows + 1) * 4), 0, rows + 1), data: new Uint8Array(0) });
    default:
      throw new InternalError(`nexmark: no null column for ${String(type)}`);
  }
}

/** A column of `rows` nulls (its own all-zero validity): a struct field the query does not read. */
export function allNull(type: arrow.DataType, rows: number): arrow.Data {
  return nullChild(type, rows, new Uint8Array(zeroBytes((rows + 7) >> 3), 0, (rows + 7) >> 3));
}

/** A struct column of `rows` nulls whose children are 64-bit integers, timestamps or strings. */
export function nullStruct(type: arrow.Struct, rows: number): arrow.Data<arrow.Struct> {
  const bitmap = new Uint8Array(zeroBytes((rows + 7) >> 3), 0, (rows + 7) >> 3);
  const children = type.children.map((f) => nullChild(f.type, rows, bitmap));
  return arrow.makeData({ type, length: rows, nullCount: rows, nullBitmap: bitmap, children });
}
