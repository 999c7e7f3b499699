/**
 * A growing byte buffer the text sinks write into: integers as digits without a string, ASCII text
 * without an encoder call, byte ranges of Arrow's UTF-8 columns copied as they are. One Buffer per
 * file part (doubling when full) instead of a string per cell and a join per row.
 */

import { isAscii } from 'node:buffer';

/** 10^k for k = 0..15: how many digits an integer below 2^53 has */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);
/** the two ASCII digits of 0..99, at 2n and 2n + 1: an integer's digits are written two at a time */
const TWO_DIGITS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(256, initialBytes));
  }

  /** The bytes written (a view of the buffer, not a copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** `s` as UTF-8 (a lone surrogate as U+FFFD, as writing the string to a file does). */
  text(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    if (n <= 64) {
      // short and (usually) ASCII: byte by byte, no encoder call
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.pos += b.write(s, this.pos, 'utf8');
          return;
        }
        b[p++] = c;
      }
      this.pos = p;
      return;
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** All of `src`, a few bytes written on every row (a JSON key, a delimiter, a timestamp's text). */
  short(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = src[i]!;
    this.pos = p;
  }

  /**
   * `src[start..end)` as they are, between the bytes `open` and `close` (none when negative): for a
   * range already known to need no escaping (plainRange).
   */
  copyBetween(src: Uint8Array, start: number, end: number, open: number, close: number): void {
    const n = end - start;
    this.ensure(n + 2);
    const b = this.buf;
    let p = this.pos;
    if (open >= 0) b[p++] = open;
    if (n <= 32) for (let i = start; i < end; i++) b[p++] = src[i]!;
    else {
      b.set(src.subarray(start, end), p);
      p += n;
    }
    if (close >= 0) b[p++] = close;
    this.pos = p;
  }

  /**
   * `src[start..end)` between the bytes `open` and `close` (none when negative) if no byte of it is
   * marked in `special`; else nothing is written and the answer is false. One pass: the bytes are
   * checked as they are copied.
   */
  copyPlain(src: Uint8Array, start: number, end: number, special: Uint8Array, open: number, close: number): boolean {
    this.ensure(end - start + 2);
    const b = this.buf;
    let p = this.pos;
    if (open >= 0) b[p++] = open;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (special[c] === 1) return false;
      b[p++] = c;
    }
    if (close >= 0) b[p++] = close;
    this.pos = p;
    return true;
  }

  /** A safe integer's digits, as String(v) writes them. */
  int(v: number): void {
    this.ensure(17);
    const b = this.buf;
    if (v < 0) {
      b[this.pos++] = 45; // '-'
      v = -v;
    }
    let digits = 1;
    while (digits < 16 && v >= POW10[digits]!) digits++;
    let p = this.pos + digits;
    this.pos = p;
    // past 2^31 a digit at a time in doubles, then two at a time in 32-bit integers
    while (v > 0x7fffffff) {
      const q = Math.floor(v / 10);
      b[--p] = 48 + (v - q * 10);
      v = q;
    }
    while (v >= 100) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      b[--p] = TWO_DIGITS[r + 1]!;
      b[--p] = TWO_DIGITS[r]!;
      v = q;
    }
    if (v >= 10) {
      b[--p] = TWO_DIGITS[(v << 1) + 1]!;
      b[--p] = TWO_DIGITS[v << 1]!;
    } else {
      b[--p] = 48 + v;
    }
  }
}

/** `s` as UTF-8 bytes (keys, separators, markers written on every row). */
export function utf8Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

/**
 * Whether `src[start..end)` is all ASCII and holds none of the bytes `stops` nor (with `controls`)
 * a byte below 0x20: then every value in the range may be copied as it is. Native scans (isAscii,
 * indexOf) and four bytes at a time for the control characters: a column's bytes are checked once a
 * batch instead of byte by byte in every value.
 */
export function plainRange(src: Uint8Array, start: number, end: number, stops: readonly number[], controls: boolean): boolean {
  if (start >= end) return true;
  const b = Buffer.from(src.buffer, src.byteOffset + start, end - start);
  if (!isAscii(b)) return false;
  for (const s of stops) if (b.indexOf(s) >= 0) return false;
  return !controls || !hasControlByte(b);
}

/** Whether ASCII bytes `b` hold one below 0x20. */
function hasControlByte(b: Uint8Array): boolean {
  const n = b.length;
  // the bytes before the first 4-byte boundary, the words, then the bytes after the last one
  let i = 0;
  const lead = (4 - ((b.byteOffset) & 3)) & 3;
  for (; i < lead && i < n; i++) if (b[i]! < 0x20) return true;
  const words = (n - i) >> 2;
  if (words > 0) {
    const w32 = new Uint32Array(b.buffer, b.byteOffset + i, words);
    // a byte below 0x20 in a word of bytes below 0x80: its subtraction borrows into bit 7 of that
    // byte, which the byte itself does not have set (the "has less than" word test, exact here)
    for (let k = 0; k < words; k++) {
      const w = w32[k]!;
      if (((w - 0x20202020) & ~w & 0x80808080) !== 0) return true;
    }
    i += words * 4;
  }
  for (; i < n; i++) if (b[i]! < 0x20) return true;
  return false;
}
