/**
 * Arrow Decimal128 columns: how a DECIMAL of 19 to 38 digits is stored (decimal.ts). A value is its
 * unscaled integer in 128-bit two's complement, four little-endian 32-bit words (arrow-js keeps the
 * values as a Uint32Array, stride 4). Only edges and the wide rows of kernels come here: DECIMAL(p <=
 * 18) stays on Int64 columns.
 */
import * as arrow from 'apache-arrow';

/** 32-bit words per Decimal128 value. */
export const DECIMAL128_WORDS = 4;

const MASK32 = 0xffffffffn;
const TWO128 = 1n << 128n;

/** Value i of Decimal128 words as a bigint. */
export function int128At(words: Uint32Array, i: number): bigint {
  const o = i * DECIMAL128_WORDS;
  const hi = words[o + 3]!;
  // within 2^53 (the common case, even in a wide column): no BigInt shifts
  if ((hi === 0 && words[o + 2] === 0 && words[o + 1]! < 0x200000) || (hi === 0xffffffff && words[o + 2] === 0xffffffff && words[o + 1]! > 0xffe00000)) {
    return BigInt((words[o + 1]! | 0) * 4294967296 + words[o]!); // the high word signed: exact within 2^53
  }
  let u = (BigInt(hi) << 96n) | (BigInt(words[o + 2]!) << 64n) | (BigInt(words[o + 1]!) << 32n) | BigInt(words[o]!);
  if (hi >= 0x80000000) u -= TWO128;
  return u;
}

/** Store bigint `v` (|v| < 2^127) as value i of Decimal128 words. */
export function setInt128(words: Uint32Array, i: number, v: bigint): void {
  const o = i * DECIMAL128_WORDS;
  const u = v < 0n ? v + TWO128 : v;
  words[o] = Number(u & MASK32);
  words[o + 1] = Number((u >> 32n) & MASK32);
  words[o + 2] = Number((u >> 64n) & MASK32);
  words[o + 3] = Number((u >> 96n) & MASK32);
}

/** Store an integral double (|x| <= 2^53) as value i of Decimal128 words, without BigInt. */
export function setInt128FromNumber(words: Uint32Array, i: number, x: number): void {
  const o = i * DECIMAL128_WORDS;
  if (x >= -2147483648 && x <= 2147483647) { // one word and its sign
    const sign = x < 0 ? 0xffffffff : 0;
    words[o] = x | 0; words[o + 1] = sign; words[o + 2] = sign; words[o + 3] = sign;
    return;
  }
  const hi = Math.floor(x / 4294967296);
  words[o] = (x - hi * 4294967296) >>> 0;
  words[o + 1] = hi >>> 0;
  const sign = x < 0 ? 0xffffffff : 0;
  words[o + 2] = sign;
  words[o + 3] = sign;
}

/**
 * A Decimal128 column of DECIMAL(precision, scale) from unscaled values (numbers or bigints; null or
 * undefined is NULL).
 */
export function decimal128FromValues(values: readonly unknown[], precision: number, scale: number): arrow.Data {
  const n = values.length;
  const words = new Uint32Array(n * DECIMAL128_WORDS);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) { nulls++; continue; }
    valid[i >> 3]! |= 1 << (i & 7);
    if (typeof v === 'number' && Number.isSafeInteger(v)) setInt128FromNumber(words, i, v);
    else setInt128(words, i, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
  }
  return arrow.makeData({
    type: new arrow.Decimal(scale, precision, 128), length: n, nullCount: nulls, nullBitmap: nulls > 0 ? valid : undefined, data: words,
  });
}

/**
 * Decimal128 values as doubles into `out` (the nearest double beyond 2^53), and the exact values of
 * every row when some value is beyond 2^53 (else undefined: the doubles are exact).
 */
export function decimal128ToNumbers(words: Uint32Array, n: number, out: Float64Array): bigint[] | undefined {
  let exact: bigint[] | undefined;
  for (let i = 0; i < n; i++) {
    const o = i * DECIMAL128_WORDS;
    const hi = words[o + 3]!, mid = words[o + 2]!, w1 = words[o + 1]!;
    if ((hi === 0 && mid === 0 && w1 < 0x200000) || (hi === 0xffffffff && mid === 0xffffffff && w1 > 0xffe00000)) {
      out[i] = (w1 | 0) * 4294967296 + words[o]!;
      if (exact !== undefined) exact[i] = BigInt(out[i]!);
      continue;
    }
    const v = int128At(words, i);
    if (exact === undefined) {
      exact = new Array<bigint>(n).fill(0n);
      for (let j = 0; j < i; j++) exact[j] = BigInt(out[j]!);
    }
    exact[i] = v;
    out[i] = Number(v);
  }
  return exact;
}

/** A vector's unscaled values (doubles exact within 2^53, `exact` beyond) as Decimal128 words. */
export function numbersToDecimal128(values: Float64Array, exact: ArrayLike<bigint> | undefined, n: number): Uint32Array {
  const words = new Uint32Array(n * DECIMAL128_WORDS);
  if (exact !== undefined) {
    for (let i = 0; i < n; i++) setInt128(words, i, exact[i]!);
    return words;
  }
  // the doubles are exact integers (|x| <= 2^53): the low 64 bits as two words, the rest the sign.
  // Signed words, one tight loop (the hot path of a projection into a DECIMAL(p > 18) column).
  const w = new Int32Array(words.buffer);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const x = values[i]!;
    if (x >= -2147483648 && x <= 2147483647) {
      const lo = x | 0, sign = lo >> 31;
      w[o] = lo; w[o + 1] = sign; w[o + 2] = sign; w[o + 3] = sign;
    } else if (x === x) { // NaN: an invalid row, left 0
      const hi = Math.floor(x / 4294967296), sign = hi < 0 ? -1 : 0;
      w[o] = (x - hi * 4294967296) | 0; w[o + 1] = hi | 0; w[o + 2] = sign; w[o + 3] = sign;
    }
  }
  return words;
}
