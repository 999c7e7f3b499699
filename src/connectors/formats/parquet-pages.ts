/**
 * The pages of a flat Parquet column chunk, as the columnar reader (parquet-column-read.ts) takes
 * them: each page header (Thrift's compact protocol), the page's bytes uncompressed, its definition
 * levels and where its values start. Only what flat columns need: no repetition levels.
 *
 * Anything this does not read (a codec other than Snappy, an encoding of levels other than the
 * RLE / bit-packed hybrid, a dictionary index wider than 24 bits) throws NotColumnar, and the file
 * is read by hyparquet instead, row by row, as before this reader existed.
 */
import { snappyUncompress } from './parquet-snappy.js';

/** The file cannot be read column by column here; the caller reads it the general way. */
export class NotColumnar extends Error {}

/** A Thrift compact-protocol value as read: numbers (i8–i64, as doubles), booleans, bytes, lists, structs. */
type ThriftRead = number | boolean | Uint8Array | ThriftRead[] | ThriftFields;
interface ThriftFields { [id: number]: ThriftRead }

/** A cursor over bytes [pos, end). */
export class Cursor {
  constructor(readonly b: Uint8Array, public pos: number, readonly end = b.length) {}

  byte(): number {
    if (this.pos >= this.end) throw new NotColumnar('a page header or an encoding runs past its bytes');
    return this.b[this.pos++]!;
  }

  varint(): number {
    let v = 0, scale = 1, byte: number;
    do {
      byte = this.byte();
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return v;
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
}

/** One compact-protocol value of element type `type` (a list's booleans are a byte each). */
function readValue(c: Cursor, type: number, inList: boolean): ThriftRead {
  switch (type) {
    case 1: return inList ? c.byte() === 1 : true;
    case 2: return inList ? c.byte() === 1 : false;
    case 3: { const v = c.byte(); return v > 127 ? v - 256 : v; }
    case 4: case 5: case 6: return c.zigzag();
    case 7: c.pos += 8; return 0; // a double: no page header field the reader uses is one
    case 8: { const n = c.varint(); const v = c.b.subarray(c.pos, c.pos + n); c.pos += n; return v; }
    case 9: case 10: {
      const head = c.byte();
      const n = head >> 4 === 15 ? c.varint() : head >> 4;
      const out: ThriftRead[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(c, head & 15, true));
      return out;
    }
    case 11: {
      const n = c.varint();
      const kinds = n > 0 ? c.byte() : 0;
      for (let i = 0; i < n; i++) { readValue(c, kinds >> 4, true); readValue(c, kinds & 15, true); }
      return [];
    }
    case 12: return readStruct(c);
    default: throw new NotColumnar(`a page header holds an unknown Thrift type ${type}`);
  }
}

function readStruct(c: Cursor): ThriftFields {
  const out: ThriftFields = {};
  let id = 0;
  for (;;) {
    const head = c.byte();
    if (head === 0) return out;
    id = head >> 4 === 0 ? c.zigzag() : id + (head >> 4);
    out[id] = readValue(c, head & 15, false);
  }
}

export interface PageHeader {
  /** 0 DATA_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2 (1, an index page, is skipped) */
  readonly type: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  /** values in the page (rows, for a flat column) */
  readonly numValues: number;
  /** Parquet's Encoding number of the values */
  readonly encoding: number;
  /** v1: the definition levels' encoding (3, RLE, is the one read); v2: always RLE */
  readonly levelEncoding: number;
  /** v2 only: the bytes of the levels, stored before the values and never compressed */
  readonly levelBytes: number;
  readonly repetitionBytes: number;
  /** v2 only: false when the values were stored uncompressed */
  readonly compressed: boolean;
}

const num = (v: ThriftRead | undefined): number => (typeof v === 'number' ? v : 0);

/** The page header at `pos`; `end` is where it is read. */
export function readPageHeader(b: Uint8Array, pos: number): { header: PageHeader; end: number } {
  const c = new Cursor(b, pos);
  const h = readStruct(c);
  const v1 = h[5] as ThriftFields | undefined, dict = h[7] as ThriftFields | undefined, v2 = h[8] as ThriftFields | undefined;
  const page = v1 ?? dict ?? v2;
  const header: PageHeader = {
    type: num(h[1]), uncompressedSize: num(h[2]), compressedSize: num(h[3]),
    numValues: num(page?.[1]),
    encoding: num(v2 ? v2[4] : page?.[2]),
    levelEncoding: v1 ? num(v1[3]) : 3,
    levelBytes: num(v2?.[5]),
    repetitionBytes: num(v2?.[6]),
    compressed: v2?.[7] !== false,
  };
  return { header, end: c.pos };
}

/** A chunk's codec: 0 UNCOMPRESSED, 1 SNAPPY (parquet-snappy.ts), or another one's decompressor (parquet-codecs.ts). */
export type Codec = 0 | 1 | ((input: Uint8Array, outputLength: number) => Uint8Array);

/** `stored` uncompressed into `size` bytes of `scratch` (grown as needed), or `stored` itself. */
export function uncompress(stored: Uint8Array, size: number, codec: Codec, scratch: { buf: Uint8Array }): Uint8Array {
  if (codec === 0) {
    if (stored.length !== size) throw new NotColumnar('a page of another size than its header says');
    return stored;
  }
  if (typeof codec === 'function') {
    const out = codec(stored, size);
    if (out.length !== size) throw new NotColumnar('a page of another size than its header says');
    return out;
  }
  if (scratch.buf.length < size) scratch.buf = new Uint8Array(Math.max(size, scratch.buf.length * 2));
  const out = scratch.buf.subarray(0, size);
  snappyUncompress(stored, out);
  return out;
}

/**
 * Read `count` values of `width` bits (at most 24) of the RLE / bit-packed hybrid from `b[pos, end)`
 * into `out[at …]`; returns how many of them are `one` (for definition levels: how many are set).
 */
export function readHybrid(b: Uint8Array, pos: number, end: number, width: number, out: Uint8Array | Int32Array, at: number, count: number, one = -1): number {
  if (width > 24) throw new NotColumnar(`a dictionary index of ${width} bits`);
  const c = new Cursor(b, pos, end);
  const mask = width === 0 ? 0 : (1 << width) - 1;
  const valueBytes = (width + 7) >> 3;
  let seen = 0, ones = 0;
  while (seen < count) {
    if (c.pos >= end) throw new NotColumnar('levels or indices end before their values');
    const head = c.varint();
    if (head & 1) {
      // bit-packed: (head >> 1) groups of 8 values, least significant bit first
      const values = Math.floor(head / 2) * 8;
      const take = Math.min(values, count - seen);
      if (c.pos + Math.ceil((take * width) / 8) > end) throw new NotColumnar('a bit-packed run past its bytes');
      let p = c.pos, buf = 0, bits = 0;
      for (let i = 0; i < take; i++) {
        while (bits < width) { buf |= b[p++]! << bits; bits += 8; }
        const v = buf & mask;
        buf >>>= width; bits -= width;
        out[at + seen + i] = v;
        if (v === one) ones++;
      }
      c.pos += (values / 8) * width;
      seen += take;
    } else {
      const run = Math.min(Math.floor(head / 2), count - seen);
      let v = 0;
      for (let k = 0; k < valueBytes; k++) v |= c.byte() << (8 * k);
      if (v > mask) throw new NotColumnar(`a run of ${v}, wider than ${width} bits`);
      out.fill(v, at + seen, at + seen + run);
      if (v === one) ones += run;
      seen += run;
    }
  }
  return ones;
}
