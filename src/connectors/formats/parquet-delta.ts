/**
 * Parquet's DELTA_BINARY_PACKED encoding (the integers of DuckDB's and others' v2 pages, and the
 * lengths of DELTA_LENGTH_BYTE_ARRAY), decoded into 32-bit words with 64-bit arithmetic done on
 * two halves, so no value becomes a BigInt.
 *
 * The layout: a header (values per block, miniblocks per block, the value count, the first value as
 * a zigzag varint), then blocks: the block's least delta (a zigzag varint), a bit width byte per
 * miniblock, and the miniblocks, each `values per miniblock` deltas above that least one, bit-packed
 * least significant bit first. The last block stores only the miniblocks it needs, each whole.
 */
import { Cursor, NotColumnar } from './parquet-pages.js';

const TWO_32 = 4294967296;

/** A cursor that also reads a zigzag varint of up to 64 bits, into lo / hi (two's complement halves). */
class Reader extends Cursor {
  lo = 0;
  hi = 0;

  /** An unsigned varint of up to 32 bits (a count in the header). */
  count(): number {
    const v = this.varint();
    if (v >= TWO_32) throw new NotColumnar('a DELTA_BINARY_PACKED header out of range');
    return v;
  }

  zigzag64(): void {
    let lo = 0, hi = 0, shift = 0, byte: number;
    do {
      byte = this.byte();
      const bits = byte & 0x7f;
      if (shift < 32) {
        lo = (lo | (bits << shift)) >>> 0;
        if (shift > 25) hi = (hi | (bits >>> (32 - shift))) >>> 0;
      } else if (shift < 64) {
        hi = (hi | (bits << (shift - 32))) >>> 0;
      }
      shift += 7;
    } while (byte & 0x80);
    // n >>> 1, then xor with -(n & 1)
    const negative = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    this.lo = negative ? ~lo >>> 0 : lo;
    this.hi = negative ? ~hi >>> 0 : hi;
  }
}

/** Bits [pos, pos + width) of `b` (width ≤ 32), least significant first, as an unsigned number. */
function bitsAt(b: Uint8Array, pos: number, width: number): number {
  let v = 0, got = 0, at = pos >> 3, shift = pos & 7;
  while (got < width) {
    const take = Math.min(8 - shift, width - got);
    v += ((b[at]! >> shift) & ((1 << take) - 1)) * 2 ** got;
    got += take;
    at++;
    shift = 0;
  }
  return v;
}

/**
 * Decode `count` values from `b[pos, end)` into `words`: value k at words[(at + k) × stride] (the
 * low half) and, when `stride` is 2, the high half after it. Returns where the encoding ends.
 */
export function readDeltaBinaryPacked(b: Uint8Array, pos: number, end: number, count: number, words: Int32Array, at: number, stride: 1 | 2): number {
  const r = new Reader(b, pos, end);
  const blockSize = r.count();
  const miniblocks = r.count();
  r.count(); // the value count, which the page header gives too
  r.zigzag64();
  let lo = r.lo, hi = r.hi;
  const perMiniblock = miniblocks === 0 ? 0 : blockSize / miniblocks;
  if (count > 0 && (!Number.isInteger(perMiniblock) || perMiniblock % 8 !== 0 || perMiniblock === 0)) {
    throw new NotColumnar('a DELTA_BINARY_PACKED block of a size not in miniblocks of 8 values');
  }
  const put = (k: number): void => {
    const o = (at + k) * stride;
    words[o] = lo;
    if (stride === 2) words[o + 1] = hi;
  };
  if (count > 0) put(0);
  let k = 1;
  const widths = new Uint8Array(miniblocks);
  while (k < count) {
    r.zigzag64();
    const minLo = r.lo, minHi = r.hi;
    for (let m = 0; m < miniblocks; m++) widths[m] = r.byte();
    for (let m = 0; m < miniblocks && k < count; m++) {
      const width = widths[m]!;
      if (width > 64) throw new NotColumnar('a DELTA_BINARY_PACKED miniblock wider than 64 bits');
      const bytes = (perMiniblock * width) / 8;
      if (r.pos + bytes > end) throw new NotColumnar('a DELTA_BINARY_PACKED miniblock ends early');
      let bit = r.pos * 8;
      for (let j = 0; j < perMiniblock && k < count; j++, k++) {
        // delta = least delta + the packed bits; value += delta, all modulo 2^64
        let dLo: number, dHi: number;
        if (width <= 32) { dLo = width === 0 ? 0 : bitsAt(b, bit, width); dHi = 0; }
        else { dLo = bitsAt(b, bit, 32); dHi = bitsAt(b, bit + 32, width - 32); }
        bit += width;
        const sumLo = minLo + dLo + lo;
        lo = sumLo >>> 0;
        hi = (minHi + dHi + hi + Math.floor(sumLo / TWO_32)) >>> 0;
        put(k);
      }
      r.pos += bytes;
    }
  }
  return r.pos;
}
