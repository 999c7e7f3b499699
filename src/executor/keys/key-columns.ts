/**
 * The key codec over a whole batch: each key column is encoded once, in a loop over its typed array
 * where it has one (no JS value per row for integers and doubles), then the columns' parts are joined
 * per row. Gives exactly the strings KeyCodec.encode gives for the same values.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { isCollection } from '../../common/types.js';
import { encodeNumber, TAG_INT64, wordsToUnits, type KeyCodec, type FieldEncoder } from './key-codec.js';

const INT64_UNIT = String.fromCharCode(TAG_INT64);

/** Whether a column of type `t` may take the typed-array paths (its encoder is the value-tag rule). */
export const plainNumeric = (t: SqlType): boolean => t.kind !== 'DECIMAL' && t.kind !== 'ROW' && !isCollection(t);

/**
 * One column's encoded fields, one string per row. A row whose value equals the row before's takes
 * that row's string (the same string, not a copy): keys come in runs (the rows of one window, a
 * sorted or clustered column), and the end of a run closing 120 000 keys' windows at once (q5's
 * join on the window) made 600 000 strings of 5 values. Equal is `===`: values the codec groups but
 * `===` does not (NaN and NaN) are encoded each; objects (ROW, arrays) only when the same object.
 */
export function encodeColumn(d: arrow.Data, t: SqlType, enc: FieldEncoder, n: number): string[] {
  const out: string[] = new Array(n);
  const vals = d.values as unknown;
  if (d.nullCount === 0 && plainNumeric(t) && ArrayBuffer.isView(vals)) {
    if (vals instanceof BigInt64Array) {
      // two 32-bit halves (little-endian): exact for every int64, no BigInt per value
      const w = new Int32Array(vals.buffer, vals.byteOffset, n * 2);
      let hi = 0, lo = 0, s = '';
      for (let i = 0; i < n; i++) {
        const h = w[2 * i + 1]!, l = w[2 * i]!;
        if (i === 0 || h !== hi || l !== lo) { hi = h; lo = l; s = INT64_UNIT + wordsToUnits(h, l >>> 0); }
        out[i] = s;
      }
      return out;
    }
    if (vals instanceof Int32Array || vals instanceof Int16Array || vals instanceof Int8Array) {
      let p = 0, s = '';
      for (let i = 0; i < n; i++) {
        const v = vals[i]!;
        if (i === 0 || v !== p) { p = v; s = INT64_UNIT + wordsToUnits(v < 0 ? -1 : 0, v >>> 0); }
        out[i] = s;
      }
      return out;
    }
    if (vals instanceof Float64Array || vals instanceof Float32Array) {
      let p = 0, s = '';
      for (let i = 0; i < n; i++) {
        const v = vals[i]!;
        if (i === 0 || v !== p) { p = v; s = encodeNumber(v); }
        out[i] = s;
      }
      return out;
    }
  }
  const read = readerFor(d);
  let p: unknown, s = '';
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (i === 0 || v !== p) { p = v; s = enc(v); }
    out[i] = s;
  }
  return out;
}

/** Every row's encoded key over the key columns of a batch (n rows). */
export function encodeColumns(codec: KeyCodec, columns: readonly arrow.Data[], n: number): string[] {
  const nk = columns.length;
  if (nk !== codec.types.length) throw new InternalError(`${nk} key columns for a codec of ${codec.types.length}`);
  if (nk === 0) return new Array<string>(n).fill('');
  const first = encodeColumn(columns[0]!, codec.types[0]!, codec.encoders[0]!, n);
  for (let c = 1; c < nk; c++) {
    const next = encodeColumn(columns[c]!, codec.types[c]!, codec.encoders[c]!, n);
    // a row whose parts are the row before's (a run in every column so far) takes its joined string
    let a = '', b = '', joined = '';
    for (let i = 0; i < n; i++) {
      const x = first[i]!, y = next[i]!;
      if (i === 0 || x !== a || y !== b) { a = x; b = y; joined = x + y; }
      first[i] = joined;
    }
  }
  return first;
}
