/**
 * The key hash of every row of a batch's key columns: murmur3Utf16 of the row's encoded key (what
 * an exchange cuts rows by, key-hash.ts), without making the key strings where the columns let.
 *
 * Integer columns without nulls encode each value as the int64 tag and five 15-bit units
 * (key-codec.ts wordsToUnits): six UTF-16 units, three whole murmur blocks. So a key of such columns
 * hashes column by column straight from the typed arrays' 32-bit words, to the very value the string
 * would give; any other key (a string, a double, a null) goes through encodeColumns.
 */
import type * as arrow from 'apache-arrow';
import type { SqlType } from '../../common/types.js';
import { MASK15, TAG_INT64, type KeyCodec } from './key-codec.js';
import { encodeColumns, plainNumeric } from './key-columns.js';
import { murmur3Utf16, murmurBlock, murmurFinish } from './key-hash.js';

/** A column's values as 32-bit words: (hi, lo) of each int64, or one int32 (sign-extended). */
type Words = { readonly kind: 'int64'; readonly w: Int32Array } | { readonly kind: 'int32'; readonly v: Int32Array | Int16Array | Int8Array };

function wordsOf(d: arrow.Data, t: SqlType, n: number): Words | undefined {
  // the columns encodeColumn encodes from their integer arrays
  if (d.nullCount !== 0 || !plainNumeric(t)) return undefined;
  const vals = d.values as unknown;
  if (vals instanceof BigInt64Array) return { kind: 'int64', w: new Int32Array(vals.buffer, vals.byteOffset, n * 2) };
  if (vals instanceof Int32Array || vals instanceof Int16Array || vals instanceof Int8Array) return { kind: 'int32', v: vals };
  return undefined;
}

/** murmur3Utf16 of each row's encoded key (as keyGroupOf reads it), n rows. */
export function hashKeyColumns(codec: KeyCodec, columns: readonly arrow.Data[], n: number): Uint32Array {
  const out = new Uint32Array(n);
  const words = columns.map((d, c) => wordsOf(d, codec.types[c]!, n));
  if (columns.length === 0 || words.some((w) => w === undefined)) {
    const keys = encodeColumns(codec, columns, n);
    for (let i = 0; i < n; i++) out[i] = murmur3Utf16(keys[i]!);
    return out;
  }
  const units = 6 * columns.length;
  const h = new Int32Array(n);
  for (const w of words as Words[]) {
    for (let i = 0; i < n; i++) {
      let hi: number, lo: number;
      if (w.kind === 'int64') { hi = w.w[2 * i + 1]!; lo = w.w[2 * i]! >>> 0; } else { const v = w.v[i]!; hi = v < 0 ? -1 : 0; lo = v >>> 0; }
      // the units of wordsToUnits, after the tag
      const u0 = hi >>> 28, u1 = (hi >>> 13) & MASK15, u2 = ((hi << 2) & 0x7ffc) | (lo >>> 30), u3 = (lo >>> 15) & MASK15, u4 = lo & MASK15;
      let x = h[i]!;
      x = murmurBlock(x, (TAG_INT64 | (u0 << 16)) >>> 0);
      x = murmurBlock(x, (u1 | (u2 << 16)) >>> 0);
      x = murmurBlock(x, (u3 | (u4 << 16)) >>> 0);
      h[i] = x;
    }
  }
  for (let i = 0; i < n; i++) out[i] = murmurFinish(h[i]!, units);
  return out;
}
