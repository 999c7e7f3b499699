/**
 * Rows kept by an operator as one compact string each: the row's column values in a binary layout,
 * one character per byte (latin1).
 *
 * A Top-N keeps many rows for a long time. As JS arrays of values each would be several objects
 * (the array, a string per text value) for the garbage collector to copy and trace, and text
 * values would be decoded from UTF-8 on the way in and encoded again on the way out. As one
 * latin1 string a row is a single object, it goes into the state store as it is (a JSON-serialisable
 * value), two rows are equal exactly when their strings are, and both ways are byte copies: the
 * input's Arrow buffers are copied into the string (numbers as their raw little-endian bytes, text as
 * its UTF-8 bytes), and the rows to emit are written into one buffer and copied out into Arrow
 * columns.
 *
 * Layout, column after column: a tag byte (0 = NULL, 1 = a value), then the value: fixed-width
 * types (TINYINT … DOUBLE, DATE, TIMESTAMP, DECIMAL, INTERVAL as Weir's Arrow types hold them) their
 * bytes, BOOLEAN one byte, VARCHAR a 4-byte length and the bytes, other types (ROW) a 4-byte length
 * and the UTF-8 of their encodeJson text.
 */
import * as arrow from 'apache-arrow';
import { bitmapFromMask, columnFromValues, isValidAt, makeAny, readerFor } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import type { SqlType } from '../../../common/types.js';
import '../../../common/arrow-binding.js';
import { isWideDecimal, toArrowType } from '../../../common/types.js';
import { decodeJson, encodeJson } from '../../../state/state-codec.js';

const TWO_32 = 4294967296;

/** dst[at…] = src[from, to): a loop for short runs, one native copy for longer ones (measured: the crossover is near 32 bytes). */
function copyBytes(src: Uint8Array, dst: Uint8Array, at: number, from: number, to: number): void {
  if (to - from < 32) for (let k = from; k < to; k++) dst[at++] = src[k]!;
  else dst.set(src.subarray(from, to), at);
}
const encoder = new TextEncoder();

type Layout = { readonly kind: 'fixed'; readonly width: 1 | 2 | 4 | 8 } | { readonly kind: 'bool' } | { readonly kind: 'utf8' } | { readonly kind: 'json' };

function layoutOf(t: SqlType): Layout {
  // a DECIMAL(p > 18) is a Decimal128 column: its values (bigints) go as tagged JSON, exactly
  if (isWideDecimal(t)) return { kind: 'json' };
  switch (t.kind) {
    case 'TINYINT': return { kind: 'fixed', width: 1 };
    case 'SMALLINT': return { kind: 'fixed', width: 2 };
    case 'INT': case 'DATE': case 'FLOAT': return { kind: 'fixed', width: 4 };
    case 'BIGINT': case 'TIMESTAMP': case 'DOUBLE': case 'DECIMAL': case 'INTERVAL': return { kind: 'fixed', width: 8 };
    case 'BOOLEAN': return { kind: 'bool' };
    case 'VARCHAR': return { kind: 'utf8' };
    default: return { kind: 'json' };
  }
}

/** Whether column `d` holds SQL type `t` in the Arrow type Weir gives it (then its value bytes are copied as they are). */
function holdsAsWeirDoes(d: arrow.Data, t: SqlType): boolean {
  const v = d.values as unknown;
  switch (t.kind) {
    case 'TINYINT': return d.typeId === arrow.Type.Int && v instanceof Int8Array;
    case 'SMALLINT': return d.typeId === arrow.Type.Int && v instanceof Int16Array;
    case 'INT': return d.typeId === arrow.Type.Int && v instanceof Int32Array;
    case 'BIGINT': case 'DECIMAL': return d.typeId === arrow.Type.Int && v instanceof BigInt64Array; // DECIMAL(p <= 18): unscaled
    case 'DATE': return d.typeId === arrow.Type.Date && v instanceof Int32Array;
    case 'TIMESTAMP': return d.typeId === arrow.Type.Timestamp && (d.type as arrow.Timestamp).unit === arrow.TimeUnit.MILLISECOND && v instanceof BigInt64Array;
    case 'FLOAT': return d.typeId === arrow.Type.Float && v instanceof Float32Array;
    case 'DOUBLE': case 'INTERVAL': return d.typeId === arrow.Type.Float && v instanceof Float64Array;
    default: return false;
  }
}

/** Writes row i of one input column at the writer's position. */
type ColumnEncoder = (i: number) => void;

export class RowCodec {
  private readonly layouts: Layout[];
  private buf = Buffer.allocUnsafe(4096);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private w = 0;

  constructor(private readonly schema: Schema) {
    this.layouts = schema.columns.map((c) => layoutOf(c.type));
  }

  private need(n: number): void {
    if (this.w + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.w + n));
    this.buf.copy(next, 0, 0, this.w);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** The encoders of a chunk's columns (made once per chunk). */
  source(b: arrow.RecordBatch): ColumnEncoder[] {
    return b.data.children.map((d, c) => this.encoderOf(d, c));
  }

  /** Row i of the chunk `src` was made for, as a row string. */
  encode(src: readonly ColumnEncoder[], i: number): string {
    this.w = 0;
    for (let c = 0; c < src.length; c++) src[c]!(i);
    return this.buf.toString('latin1', 0, this.w);
  }

  /** A row given as JS values (one per column, as valueAt reads them), as a row string. */
  encodeValues(values: readonly unknown[]): string {
    this.w = 0;
    values.forEach((v, c) => {
      if (v === null || v === undefined) {
        this.need(1);
        this.buf[this.w++] = 0;
      } else this.writeValue(this.layouts[c]!, this.schema.columns[c]!.type, v);
    });
    return this.buf.toString('latin1', 0, this.w);
  }

  private encoderOf(d: arrow.Data, c: number): ColumnEncoder {
    const layout = this.layouts[c]!;
    const t = this.schema.columns[c]!.type;
    const nulls = d.nullCount > 0 && d.nullBitmap !== undefined && d.nullBitmap !== null && d.nullBitmap.length > 0;
    const isNull = (i: number): boolean => nulls && !isValidAt(d, i);
    const tagNull = (): void => {
      this.need(1);
      this.buf[this.w++] = 0;
    };
    if (layout.kind === 'fixed' && holdsAsWeirDoes(d, t)) {
      const v = d.values as Uint8Array;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const width = layout.width;
      return (i) => {
        if (isNull(i)) return tagNull();
        this.need(1 + width);
        const buf = this.buf;
        let w = this.w;
        buf[w++] = 1;
        for (let k = 0, s = i * width; k < width; k++) buf[w++] = bytes[s + k]!;
        this.w = w;
      };
    }
    if (layout.kind === 'utf8' && d.typeId === arrow.Type.Utf8) {
      const o = d.valueOffsets!;
      const bytes = d.values as Uint8Array;
      return (i) => {
        if (isNull(i)) return tagNull();
        const s = o[i]!, n = o[i + 1]! - s;
        this.need(5 + n);
        const buf = this.buf;
        let w = this.w;
        buf[w] = 1;
        buf.writeUInt32LE(n, w + 1);
        w += 5;
        copyBytes(bytes, buf, w, s, s + n);
        this.w = w + n;
      };
    }
    // any other representation: through the JS value
    const read = readerFor(d);
    return (i) => {
      const v = read(i);
      if (v === null || v === undefined) return tagNull();
      this.writeValue(layout, t, v);
    };
  }

  private writeValue(layout: Layout, t: SqlType, v: unknown): void {
    switch (layout.kind) {
      case 'fixed': {
        this.need(1 + layout.width);
        this.buf[this.w++] = 1;
        const x = Number(v);
        const at = this.w;
        switch (t.kind) {
          case 'TINYINT': this.view.setInt8(at, x); break;
          case 'SMALLINT': this.view.setInt16(at, x, true); break;
          case 'INT': case 'DATE': this.view.setInt32(at, x, true); break;
          case 'FLOAT': this.view.setFloat32(at, x, true); break;
          case 'BIGINT': case 'TIMESTAMP': {
            const high = Math.floor(Math.trunc(x) / TWO_32);
            this.view.setInt32(at, (Math.trunc(x) - high * TWO_32) | 0, true);
            this.view.setInt32(at + 4, high, true);
            break;
          }
          default: this.view.setFloat64(at, x, true);
        }
        this.w += layout.width;
        return;
      }
      case 'bool':
        this.need(2);
        this.buf[this.w++] = 1;
        this.buf[this.w++] = v ? 1 : 0;
        return;
      case 'utf8': case 'json': {
        const b = encoder.encode(layout.kind === 'utf8' ? String(v) : encodeJson(v));
        this.need(5 + b.length);
        this.buf[this.w] = 1;
        this.buf.writeUInt32LE(b.length, this.w + 1);
        this.buf.set(b, this.w + 5);
        this.w += 5 + b.length;
      }
    }
  }

  /**
   * Rows (row strings), in order, as one Arrow column per schema column. With `repeated`, the same
   * string object appearing many times (a join's stored row in each of its pairs) is read once.
   */
  decode(rows: readonly string[], repeated = false): arrow.Data[] {
    const n = rows.length;
    const rowStart = new Float64Array(n + 1);
    const seen = repeated ? new Map<string, number>() : undefined;
    let total = 0;
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      const known = seen?.get(row);
      if (known !== undefined) { rowStart[r] = known; continue; }
      rowStart[r] = total;
      seen?.set(row, total);
      total += row.length;
    }
    const src = Buffer.allocUnsafe(Math.max(1, total));
    for (let r = 0, at = 0; r < n; r++) {
      if (rowStart[r] === at) at += src.write(rows[r]!, at, 'latin1');
    }
    const cols = this.layouts.map((l) => new ColumnOut(l, n));
    for (let r = 0; r < n; r++) {
      let p = rowStart[r]!;
      for (let c = 0; c < cols.length; c++) p = cols[c]!.read(src, p, r);
    }
    return cols.map((col, c) => col.finish(this.schema.columns[c]!.type, src));
  }
}

/** One output column while rows are decoded. */
class ColumnOut {
  readonly valid: Uint8Array;
  private readonly fixed: Uint8Array | undefined;
  private readonly starts: Float64Array | undefined;
  private readonly lens: Int32Array | undefined;
  private readonly values: unknown[] | undefined;

  constructor(private readonly layout: Layout, private readonly n: number) {
    this.valid = new Uint8Array(n);
    if (layout.kind === 'fixed') this.fixed = new Uint8Array(n * layout.width);
    else if (layout.kind === 'bool') this.fixed = new Uint8Array(n);
    else if (layout.kind === 'utf8') { this.starts = new Float64Array(n); this.lens = new Int32Array(n); }
    else this.values = new Array(n).fill(null);
  }

  /** Read row r's value at position p of `src`; the position after it. */
  read(src: Buffer, p: number, r: number): number {
    if (src[p] === 0) return p + 1;
    this.valid[r] = 1;
    p++;
    switch (this.layout.kind) {
      case 'fixed': {
        const width = this.layout.width, out = this.fixed!;
        for (let k = 0, d = r * width; k < width; k++) out[d + k] = src[p + k]!;
        return p + width;
      }
      case 'bool':
        this.fixed![r] = src[p]!;
        return p + 1;
      case 'utf8': {
        const len = src.readUInt32LE(p);
        this.starts![r] = p + 4;
        this.lens![r] = len;
        return p + 4 + len;
      }
      case 'json': {
        const len = src.readUInt32LE(p);
        this.values![r] = decodeJson(src.toString('utf8', p + 4, p + 4 + len));
        return p + 4 + len;
      }
    }
  }

  finish(t: SqlType, src: Buffer): arrow.Data {
    const n = this.n;
    if (this.layout.kind === 'json') return columnFromValues(t, this.values!);
    const { bitmap, nullCount } = bitmapFromMask(this.valid, n);
    const type = toArrowType(t);
    const base = { type, length: n, nullCount, nullBitmap: bitmap };
    switch (this.layout.kind) {
      case 'fixed': {
        const b = this.fixed!.buffer;
        const data = t.kind === 'TINYINT' ? new Int8Array(b) : t.kind === 'SMALLINT' ? new Int16Array(b)
          : t.kind === 'INT' || t.kind === 'DATE' ? new Int32Array(b) : t.kind === 'FLOAT' ? new Float32Array(b)
            : t.kind === 'BIGINT' || t.kind === 'TIMESTAMP' ? new BigInt64Array(b) : new Float64Array(b);
        return makeAny({ ...base, data });
      }
      case 'bool': {
        const bits = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) if (this.fixed![i] === 1) bits[i >> 3]! |= 1 << (i & 7);
        return arrow.makeData({ ...base, type: type as arrow.Bool, data: bits });
      }
      case 'utf8': {
        const offsets = new Int32Array(n + 1);
        let total = 0;
        for (let i = 0; i < n; i++) {
          total += this.lens![i]!;
          offsets[i + 1] = total;
        }
        const bytes = new Uint8Array(total);
        for (let i = 0; i < n; i++) {
          const s = this.starts![i]!, l = this.lens![i]!, d = offsets[i]!;
          copyBytes(src, bytes, d, s, s + l);
        }
        return arrow.makeData({ ...base, type: type as arrow.Utf8, valueOffsets: offsets, data: bytes });
      }
    }
  }
}
