/**
 * A flat Parquet column read straight into one slot a row: the bytes of fixed-width values (INT32,
 * INT64, FLOAT, DOUBLE) at row × width, a byte a row for BOOLEAN, offsets and bytes back to back
 * for BYTE_ARRAY, and a byte-per-row validity mask. No value becomes a JS value on the way
 * (hyparquet makes a JS array of every OPTIONAL column, a BigInt of every INT64 cell in it, and a
 * string of every BYTE_ARRAY cell), so the Arrow column is a view of these bytes.
 *
 * Encodings read: PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY (with a PLAIN dictionary page), RLE for
 * BOOLEAN, and what v2 pages hold: DELTA_BINARY_PACKED integers, DELTA_LENGTH_BYTE_ARRAY and
 * DELTA_BYTE_ARRAY strings, BYTE_STREAM_SPLIT numbers; v1 and v2 data pages. Anything else throws
 * NotColumnar (parquet-pages.ts).
 */
import type { Decompressors } from './parquet-codecs.js';
import type { ColumnMetaData } from 'hyparquet';
import { readDeltaBinaryPacked } from './parquet-delta.js';
import { NotColumnar, readHybrid, readPageHeader, uncompress, type Codec } from './parquet-pages.js';

export type FlatPhysical = 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';

/** Bytes a value; 0: values of their own lengths, held as offsets and bytes (a FIXED_LEN_BYTE_ARRAY too, its length fixed) */
const WIDTH: Record<FlatPhysical, number> = { BOOLEAN: 1, INT32: 4, INT64: 8, FLOAT: 4, DOUBLE: 8, BYTE_ARRAY: 0, FIXED_LEN_BYTE_ARRAY: 0 };

/** Parquet's Encoding numbers the reader knows. */
const PLAIN = 0, PLAIN_DICTIONARY = 2, RLE = 3, DELTA_BINARY_PACKED = 5, DELTA_LENGTH_BYTE_ARRAY = 6, DELTA_BYTE_ARRAY = 7, RLE_DICTIONARY = 8,
  BYTE_STREAM_SPLIT = 9;
/** Page types. */
const DATA_PAGE = 0, DICTIONARY_PAGE = 2, DATA_PAGE_V2 = 3;

/** A flat column's values, one slot a row. */
export interface LeafValues {
  readonly type: FlatPhysical;
  /** fixed widths: row i's value at bytes[i × width …]; BOOLEAN a byte a row; (FIXED_LEN_)BYTE_ARRAY the values back to back */
  readonly bytes: Uint8Array;
  /** (FIXED_LEN_)BYTE_ARRAY only: row i's value is bytes[offsets[i], offsets[i + 1]) (a NULL row: empty) */
  readonly offsets?: Int32Array;
  /** 1 where the row holds a value; undefined when every row does */
  readonly valid?: Uint8Array;
  /** a leaf under an OPTIONAL group: each row's definition level (undefined when every row holds a value) */
  readonly defLevels?: Uint8Array;
}

const u32 = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;

/** Where a column's values are written while its pages are read. */
class LeafBuilder {
  readonly width: number;
  /** values of their own lengths (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY): offsets and bytes */
  readonly varying: boolean;
  bytes: Uint8Array;
  /** varying: bytes used so far */
  used = 0;
  readonly offsets?: Int32Array;
  valid?: Uint8Array;
  defLevels?: Uint8Array;
  dictionary?: { bytes: Uint8Array; offsets?: Int32Array; size: number };

  /**
   * `fixedLength`: a FIXED_LEN_BYTE_ARRAY's length (its values have no length prefix); `maxDef`: the
   * definition level of a row holding a value (more than 1 under an OPTIONAL group)
   */
  constructor(readonly type: FlatPhysical, readonly rows: number, byteHint: number, readonly fixedLength = 0, readonly maxDef = 1) {
    this.width = WIDTH[type];
    this.varying = this.width === 0;
    if (type === 'FIXED_LEN_BYTE_ARRAY' && !(fixedLength > 0)) throw new NotColumnar('a FIXED_LEN_BYTE_ARRAY without its length');
    // 8-byte aligned (a fresh ArrayBuffer), so that whole words can be moved through Int32Array views
    this.bytes = new Uint8Array(this.varying ? Math.max(64, byteHint) : rows * this.width);
    if (this.varying) this.offsets = new Int32Array(rows + 1);
  }


  /** Record a page's definition levels (`levels[0, count)`, maxDef = a value) for rows from `at`. */
  levels(levels: Uint8Array, at: number, count: number, values: number): void {
    if (values === count && this.valid === undefined) return;
    const max = this.maxDef;
    if (max > 1) {
      // the levels themselves say which enclosing group is NULL; then 1 = a value, as for a flat leaf
      for (let k = 0; k < count; k++) if (levels[k]! > max) throw new NotColumnar('a definition level above the column\'s');
      this.defLevels ??= new Uint8Array(this.rows).fill(max, 0, at);
      this.defLevels.set(levels.subarray(0, count), at);
      for (let k = 0; k < count; k++) levels[k] = levels[k] === max ? 1 : 0;
    }
    this.valid ??= new Uint8Array(this.rows).fill(1, 0, at);
    this.valid.set(levels.subarray(0, count), at);
  }

  /** A page's PLAIN values (`values` of them, for rows [at, at + count)) from `b[p …]`. */
  plain(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    if (this.varying) {
      // a FIXED_LEN_BYTE_ARRAY's values have no length prefix
      const fixed = this.fixedLength;
      this.byteArrays(at, count, (out, o) => {
        if (fixed === 0 && p + 4 > end) throw new NotColumnar('a PLAIN page ends inside a value');
        const n = fixed > 0 ? fixed : u32(b, p);
        const start = fixed > 0 ? p : p + 4;
        if (start + n > end) throw new NotColumnar('a PLAIN page ends inside a value');
        this.ensure(o, n);
        copyBytes(b, start, this.bytes, o, n);
        p = start + n;
        return n;
      });
    } else if (this.type === 'BOOLEAN') {
      const bits = new Uint8Array(values);
      if (p + ((values + 7) >> 3) > end) throw new NotColumnar('a PLAIN page ends inside its values');
      for (let i = 0; i < values; i++) bits[i] = (b[p + (i >> 3)]! >> (i & 7)) & 1;
      this.bytes.set(bits, at);
      this.spread(at, count, values);
    } else {
      const w = this.width;
      if (p + values * w > end) throw new NotColumnar('a PLAIN page ends inside its values');
      this.bytes.set(b.subarray(p, p + values * w), at * w);
      this.spread(at, count, values);
    }
  }

  /** BOOLEAN values in the RLE encoding (a length, then the hybrid of width 1). */
  booleanRle(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    if (this.type !== 'BOOLEAN') throw new NotColumnar('RLE values of a type other than BOOLEAN');
    const length = u32(b, p);
    if (p + 4 + length > end) throw new NotColumnar('an RLE page ends inside its values');
    readHybrid(b, p + 4, p + 4 + length, 1, this.bytes, at, values);
    this.spread(at, count, values);
  }

  /** DELTA_BINARY_PACKED integers. */
  delta(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    if (this.type !== 'INT32' && this.type !== 'INT64') throw new NotColumnar('DELTA_BINARY_PACKED values that are not integers');
    const words = new Int32Array(this.bytes.buffer, 0, this.rows * (this.width >> 2));
    readDeltaBinaryPacked(b, p, end, values, words, at, this.type === 'INT64' ? 2 : 1);
    this.spread(at, count, values);
  }

  /** DELTA_LENGTH_BYTE_ARRAY strings: their lengths DELTA_BINARY_PACKED, then their bytes back to back. */
  deltaLengths(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    if (this.type !== 'BYTE_ARRAY') throw new NotColumnar('DELTA_LENGTH_BYTE_ARRAY values that are not strings');
    const lengths = new Int32Array(values);
    let q = readDeltaBinaryPacked(b, p, end, values, lengths, 0, 1);
    let k = 0;
    this.byteArrays(at, count, (out, o) => {
      const n = lengths[k++]!;
      if (n < 0 || q + n > end) throw new NotColumnar('a DELTA_LENGTH_BYTE_ARRAY page ends inside a value');
      this.ensure(o, n);
      copyBytes(b, q, this.bytes, o, n);
      q += n;
      return n;
    });
  }

  /**
   * DELTA_BYTE_ARRAY strings: each the first `prefix` bytes of the value before it in the page, then
   * its suffix; the prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
   */
  deltaStrings(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    if (!this.varying) throw new NotColumnar('DELTA_BYTE_ARRAY values that are not byte arrays');
    const prefixes = new Int32Array(values), suffixes = new Int32Array(values);
    let q = readDeltaBinaryPacked(b, p, end, values, prefixes, 0, 1);
    q = readDeltaBinaryPacked(b, q, end, values, suffixes, 0, 1);
    let k = 0, before = 0, beforeLength = 0;
    this.byteArrays(at, count, (out, o) => {
      const prefix = prefixes[k]!, suffix = suffixes[k]!;
      k++;
      if (prefix < 0 || prefix > beforeLength || suffix < 0 || q + suffix > end) throw new NotColumnar('a DELTA_BYTE_ARRAY value out of its page');
      if (this.fixedLength > 0 && prefix + suffix !== this.fixedLength) throw new NotColumnar('a DELTA_BYTE_ARRAY value not of its fixed length');
      this.ensure(o, prefix + suffix);
      // the value before is in this.bytes already, at `before` (an offset, so a grown buffer keeps it)
      this.bytes.copyWithin(o, before, before + prefix);
      copyBytes(b, q, this.bytes, o + prefix, suffix);
      q += suffix;
      before = o;
      beforeLength = prefix + suffix;
      return beforeLength;
    });
  }

  /** BYTE_STREAM_SPLIT numbers: byte k of every value, then byte k + 1 of every value, … */
  byteStreamSplit(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    const w = this.width;
    if (this.type === 'BOOLEAN' || this.varying) throw new NotColumnar('BYTE_STREAM_SPLIT values of variable width');
    if (p + values * w > end) throw new NotColumnar('a BYTE_STREAM_SPLIT page ends inside its values');
    const out = this.bytes;
    for (let k = 0; k < w; k++) {
      const from = p + k * values;
      for (let i = 0, o = at * w + k; i < values; i++, o += w) out[o] = b[from + i]!;
    }
    this.spread(at, count, values);
  }

  /** The dictionary page's `size` PLAIN values. */
  setDictionary(b: Uint8Array, size: number): void {
    if (this.type === 'BOOLEAN') throw new NotColumnar('a dictionary of booleans');
    // the page's values are PLAIN: read as a column of `size` rows of this one's type
    const values = new LeafBuilder(this.type, size, b.length, this.fixedLength);
    values.plain(b, 0, b.length, 0, size, size);
    const { bytes, offsets } = values.result();
    this.dictionary = { bytes, offsets, size };
  }

  /** A page's dictionary indices (a bit width byte, then the hybrid) for its `values` values. */
  indices(b: Uint8Array, p: number, end: number, at: number, count: number, values: number): void {
    const dict = this.dictionary;
    if (dict === undefined) throw new NotColumnar('dictionary indices without a dictionary page');
    const index = new Int32Array(values);
    if (values > 0) readHybrid(b, p + 1, end, b[p]!, index, 0, values);
    for (let i = 0; i < values; i++) if (index[i]! >= dict.size) throw new NotColumnar('a dictionary index past the dictionary');
    if (this.varying) {
      const from = dict.offsets!, src = dict.bytes;
      let k = 0;
      this.byteArrays(at, count, (out, o) => {
        const d = index[k++]!;
        const a = from[d]!, n = from[d + 1]! - a;
        this.ensure(o, n);
        copyBytes(src, a, this.bytes, o, n);
        return n;
      });
      return;
    }
    const words = this.width >> 2;
    const src = new Int32Array(dict.bytes.buffer, dict.bytes.byteOffset, dict.size * words);
    const out = new Int32Array(this.bytes.buffer, at * this.width, values * words);
    if (words === 1) for (let i = 0; i < values; i++) out[i] = src[index[i]!]!;
    else for (let i = 0; i < values; i++) { const d = 2 * index[i]!; out[2 * i] = src[d]!; out[2 * i + 1] = src[d + 1]!; }
    this.spread(at, count, values);
  }

  /**
   * Move the `values` values packed at rows [at, at + values) out to the valid rows of
   * [at, at + count), last first (each moves to a row at or after its own, so none is overwritten
   * before it moves).
   */
  private spread(at: number, count: number, values: number): void {
    if (values === count) return;
    const valid = this.valid!;
    const words = this.width >> 2;
    if (this.width === 1) {
      const v = this.bytes;
      for (let i = at + count - 1, k = at + values - 1; i >= at && k >= at; i--) if (valid[i]) v[i] = v[k--]!;
      return;
    }
    const v = new Int32Array(this.bytes.buffer, this.bytes.byteOffset, this.rows * words);
    for (let i = at + count - 1, k = at + values - 1; i >= at && k >= at; i--) {
      if (!valid[i]) continue;
      if (words === 1) v[i] = v[k]!;
      else { v[2 * i] = v[2 * k]!; v[2 * i + 1] = v[2 * k + 1]!; }
      k--;
    }
  }

  /** Rows [at, at + count) of a BYTE_ARRAY column: `next(bytes, offset)` writes a valid row's value and gives its length. */
  private byteArrays(at: number, count: number, next: (bytes: Uint8Array, offset: number) => number): void {
    const offsets = this.offsets!, valid = this.valid;
    let o = this.used;
    for (let i = at; i < at + count; i++) {
      if (valid === undefined || valid[i]) o += next(this.bytes, o);
      offsets[i + 1] = o;
    }
    this.used = o;
  }

  /** Room for `n` more bytes after the `used` written so far. */
  private ensure(used: number, n: number): void {
    const size = used + n;
    if (size <= this.bytes.length) return;
    if (size > 0x7fffffff) throw new NotColumnar('a string column of more than 2 GiB');
    const next = new Uint8Array(Math.min(0x7fffffff, Math.max(size, this.bytes.length * 2)));
    next.set(this.bytes.subarray(0, used));
    this.bytes = next;
  }

  result(): LeafValues {
    const bytes = this.varying ? this.bytes.subarray(0, this.used) : this.bytes;
    return { type: this.type, bytes, offsets: this.offsets, valid: this.valid, defLevels: this.defLevels };
  }
}

/** Copy n bytes: a loop for the short values strings mostly are, a memcpy for the rest. */
function copyBytes(from: Uint8Array, a: number, to: Uint8Array, o: number, n: number): void {
  if (n < 16) for (let k = 0; k < n; k++) to[o + k] = from[a + k]!;
  else to.set(from.subarray(a, a + n), o);
}

/** A column chunk of one row group, where it lies in the file and how many rows it holds. */
export interface ChunkPlace {
  readonly meta: ColumnMetaData;
  readonly rows: number;
}

/**
 * The values of a leaf column, a row each (no repeated level on its path), over all of its row
 * groups' chunks. `maxDef` is its maximum definition level: 0 for a REQUIRED leaf of the root (its
 * pages carry no levels), 1 for an OPTIONAL one, 2 for an OPTIONAL leaf of an OPTIONAL group. `file`
 * holds the file's bytes from position `base` on (a part of a file: the span of the chunks read).
 */
export function readLeaf(
  file: Uint8Array, base: number, type: FlatPhysical, maxDef: number, chunks: readonly ChunkPlace[], codecs?: Decompressors,
  fixedLength = 0,
): LeafValues {
  const rows = chunks.reduce((s, c) => s + c.rows, 0);
  const hint = type === 'BYTE_ARRAY' ? chunks.reduce((s, c) => s + Number(c.meta.total_uncompressed_size), 0) : rows * fixedLength;
  const leaf = new LeafBuilder(type, rows, hint, type === 'FIXED_LEN_BYTE_ARRAY' ? fixedLength : 0, maxDef);
  const optional = maxDef > 0;
  const levelWidth = maxDef > 1 ? 32 - Math.clz32(maxDef) : 1;
  const scratch = { buf: new Uint8Array(0) };
  let at = 0;
  for (const { meta, rows: groupRows } of chunks) {
    const codec = codecOf(meta.codec, codecs);
    let pos = chunkStart(meta) - base;
    if (pos < 0) throw new NotColumnar('a column chunk before the bytes read');
    const chunkEnd = Math.min(file.length, pos + Number(meta.total_compressed_size));
    const groupEnd = at + groupRows;
    leaf.dictionary = undefined;
    while (at < groupEnd) {
      if (pos >= chunkEnd) throw new NotColumnar('a column chunk ends before its rows');
      const { header: h, end } = readPageHeader(file.subarray(0, chunkEnd), pos);
      const body = file.subarray(end, end + h.compressedSize);
      pos = end + h.compressedSize;
      if (pos > chunkEnd) throw new NotColumnar('a page runs past its column chunk');
      if (h.type === DICTIONARY_PAGE) {
        if (h.encoding !== PLAIN && h.encoding !== PLAIN_DICTIONARY) throw new NotColumnar('a dictionary page not PLAIN');
        leaf.setDictionary(uncompress(body, h.uncompressedSize, codec, scratch), h.numValues);
        continue;
      }
      // (an index page, or a type unknown here: the row-by-row read refuses the file)
      if (h.type !== DATA_PAGE && h.type !== DATA_PAGE_V2) throw new NotColumnar(`a page of type ${h.type}`);
      const count = h.numValues;
      if (at + count > groupEnd) throw new NotColumnar('a page holds more rows than its row group');
      let page: Uint8Array, p: number, values = count;
      const levels = optional ? new Uint8Array(count) : undefined;
      if (h.type === DATA_PAGE) {
        page = uncompress(body, h.uncompressedSize, codec, scratch);
        p = 0;
        if (levels) {
          // BIT_PACKED levels (deprecated) are left to the row-by-row read; a REQUIRED column has none
          if (h.levelEncoding !== RLE) throw new NotColumnar('definition levels not RLE-encoded');
          const length = u32(page, 0);
          if (4 + length > page.length) throw new NotColumnar('definition levels past their page');
          values = readHybrid(page, 4, 4 + length, levelWidth, levels, 0, count, maxDef);
          p = 4 + length;
        }
      } else {
        if (h.repetitionBytes !== 0) throw new NotColumnar('repetition levels in a flat column');
        if (h.levelBytes > body.length) throw new NotColumnar('definition levels past their page');
        if (levels) values = readHybrid(body, 0, h.levelBytes, levelWidth, levels, 0, count, maxDef);
        const stored = body.subarray(h.levelBytes);
        // (no values, as in a page of NULLs: nothing to uncompress, as hyparquet reads it)
        const size = h.uncompressedSize - h.levelBytes;
        page = size === 0 ? stored.subarray(0, 0) : h.compressed ? uncompress(stored, size, codec, scratch) : stored;
        p = 0;
      }
      if (levels) leaf.levels(levels, at, count, values);
      const encoding = h.encoding;
      if (encoding === PLAIN) leaf.plain(page, p, page.length, at, count, values);
      else if (encoding === PLAIN_DICTIONARY || encoding === RLE_DICTIONARY) leaf.indices(page, p, page.length, at, count, values);
      else if (encoding === RLE) leaf.booleanRle(page, p, page.length, at, count, values);
      else if (encoding === DELTA_BINARY_PACKED) leaf.delta(page, p, page.length, at, count, values);
      else if (encoding === DELTA_LENGTH_BYTE_ARRAY) leaf.deltaLengths(page, p, page.length, at, count, values);
      else if (encoding === DELTA_BYTE_ARRAY) leaf.deltaStrings(page, p, page.length, at, count, values);
      else if (encoding === BYTE_STREAM_SPLIT) leaf.byteStreamSplit(page, p, page.length, at, count, values);
      else throw new NotColumnar(`values in encoding ${encoding}`);
      at += count;
    }
  }
  return leaf.result();
}

/** Where a column chunk's first page starts in the file: its dictionary page, if any, else its first data page. */
export function chunkStart(meta: ColumnMetaData): number {
  const dataStart = Number(meta.data_page_offset);
  const dictStart = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
  // some writers put 0 here when there is no dictionary page
  return dictStart !== undefined && dictStart > 0 && dictStart < dataStart ? dictStart : dataStart;
}

function codecOf(codec: ColumnMetaData['codec'], codecs: Decompressors | undefined): Codec {
  if (codec === 'UNCOMPRESSED') return 0;
  if (codec === 'SNAPPY') return 1;
  const decompress = codecs?.[codec];
  if (decompress === undefined) throw new NotColumnar(`the ${codec} codec`);
  return decompress;
}
