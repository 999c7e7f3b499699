/**
 * Parquet DECIMAL leaves as Weir's DECIMAL columns, column by column (parquet-columnar.ts): the
 * unscaled integers a file holds in INT32, INT64 or FIXED_LEN_BYTE_ARRAY (big-endian two's
 * complement, as parquet-mr, pyarrow and Spark write them) become an Int64 column up to 18 digits,
 * else a Decimal128 one (four little-endian 32-bit words a value, decimal128.ts). The caller has
 * checked the scales are equal and the file's precision no larger; a value beyond the column's
 * precision anyway (a damaged or lying file) throws NotColumnar, so the row-by-row read rejects it
 * with its reason.
 */
import { isWideDecimal, type SqlType } from '../../common/types.js';
import type { LeafValues } from './parquet-column-chunks.js';
import { NotColumnar } from './parquet-pages.js';

/** How a DECIMAL leaf stores its unscaled integers. */
export type DecimalStorage = 'dec32' | 'dec64' | 'decfixed';

const TWO_32 = 4294967296;

/** 10^p as a bigint, for p of a DECIMAL's precision. */
const POWERS: bigint[] = Array.from({ length: 39 }, (_, p) => 10n ** BigInt(p));

/** The signed 128-bit integer of four little-endian 32-bit words. */
function toBigInt(w: Int32Array, at: number): bigint {
  return (BigInt(w[at + 3]!) << 96n) | (BigInt(w[at + 2]! >>> 0) << 64n) | (BigInt(w[at + 1]! >>> 0) << 32n) | BigInt(w[at]! >>> 0);
}

/**
 * The column's values (Int64 or Decimal128 words, by `t`) from `leaf`, NULL rows zero. `n` rows.
 */
export function decimalValues(t: Extract<SqlType, { kind: 'DECIMAL' }>, storage: DecimalStorage, leaf: LeafValues, n: number): BigInt64Array | Uint32Array {
  const wide = isWideDecimal(t);
  // every value as four little-endian words of its 128-bit two's complement
  const words = new Int32Array(4 * n);
  const valid = leaf.valid;
  const bytes = leaf.bytes;
  if (storage === 'dec32' || storage === 'dec64') {
    const per = storage === 'dec32' ? 1 : 2;
    const src = new Int32Array(bytes.buffer, bytes.byteOffset, n * per);
    for (let i = 0; i < n; i++) {
      if (valid && !valid[i]) continue;
      const lo = src[per * i]!, hi = per === 2 ? src[per * i + 1]! : (lo < 0 ? -1 : 0);
      const ext = hi < 0 ? -1 : 0;
      words[4 * i] = lo; words[4 * i + 1] = hi; words[4 * i + 2] = ext; words[4 * i + 3] = ext;
    }
  } else {
    const offsets = leaf.offsets!;
    const le = new Uint8Array(words.buffer);
    for (let i = 0; i < n; i++) {
      if (valid && !valid[i]) continue;
      const a = offsets[i]!, e = offsets[i + 1]!;
      if (e === a) throw new NotColumnar('an empty DECIMAL value');
      // the sign of the 16 bytes kept; any bytes before them must be nothing but that sign
      const first = Math.max(a, e - 16);
      const sign = bytes[first]! & 0x80 ? 0xff : 0;
      for (let q = a; q < first; q++) if (bytes[q] !== sign) throw new NotColumnar('a DECIMAL beyond 128 bits');
      for (let j = 0; j < 16; j++) le[16 * i + j] = j < e - a ? bytes[e - 1 - j]! : sign;
    }
  }
  const bound = POWERS[t.precision]!;
  const small = Number(bound);
  for (let i = 0; i < n; i++) {
    const w1 = words[4 * i + 1]!, ext = w1 < 0 ? -1 : 0;
    const fitsInt64 = words[4 * i + 2] === ext && words[4 * i + 3] === ext;
    if (fitsInt64 && w1 > -0x200000 && w1 < 0x200000) {
      // within 2^53: exact as a double
      if (Math.abs(w1 * TWO_32 + (words[4 * i]! >>> 0)) >= small) throw new NotColumnar('a DECIMAL beyond its precision');
      continue;
    }
    const v = toBigInt(words, 4 * i);
    if (v >= bound || -v >= bound) throw new NotColumnar('a DECIMAL beyond its precision');
  }
  if (wide) return new Uint32Array(words.buffer);
  const out = new BigInt64Array(n);
  const halves = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) { halves[2 * i] = words[4 * i]!; halves[2 * i + 1] = words[4 * i + 1]!; }
  return out;
}
