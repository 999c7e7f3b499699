/**
 * Grouping keys of a batch's rows, decoded once per row (not once per window a row falls in), in a
 * form that a JS Map hashes cheaply: the value itself for one key column (a number or a string),
 * one encoded string for several, and a constant when there are none. The window operators look up
 * groups by these keys in their hot loop and build the state store's string key only when a group
 * is first touched in a batch.
 */
import * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import { encodeKey } from '../aggregate/aggregate-functions.js';

/** The Map key of a NULL grouping value (one key column). */
export const NULL_KEY: unique symbol = Symbol('NULL');

export interface RowKeys {
  /** Map key of each row's group */
  readonly keys: unknown[];
  /** the grouping values of row i, as the state stores them */
  values(i: number): unknown[];
}

/** Every value of a column as a JS value (null where NULL), reading typed arrays directly. */
export function decodeColumn(d: arrow.Data): unknown[] {
  const n = d.length;
  const out: unknown[] = new Array(n);
  const vals = d.values as unknown;
  const plain = (d.typeId === arrow.Type.Int || d.typeId === arrow.Type.Float || d.typeId === arrow.Type.Timestamp || d.typeId === arrow.Type.Date)
    && d.nullCount === 0 && ArrayBuffer.isView(vals);
  if (plain && vals instanceof BigInt64Array) {
    // two 32-bit halves (little-endian), as readerFor: no BigInt per value
    const w = new Int32Array(vals.buffer, vals.byteOffset, n * 2);
    for (let i = 0; i < n; i++) out[i] = w[2 * i + 1]! * 4294967296 + (w[2 * i]! >>> 0);
    return out;
  }
  if (plain && !(vals instanceof BigUint64Array)) {
    const a = vals as unknown as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = a[i];
    return out;
  }
  const read = readerFor(d);
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}

export function rowKeys(columns: readonly arrow.Data[], n: number): RowKeys {
  const nk = columns.length;
  if (nk === 0) {
    const keys: unknown[] = new Array(n).fill(0);
    return { keys, values: () => [] };
  }
  const cols = columns.map(decodeColumn);
  if (nk === 1) {
    const c = cols[0]!;
    const keys: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = c[i];
      keys[i] = v === null || v === undefined ? NULL_KEY : v;
    }
    return { keys, values: (i) => [c[i] ?? null] };
  }
  const keys: unknown[] = new Array(n);
  const vs: unknown[] = new Array(nk);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nk; c++) vs[c] = cols[c]![i];
    keys[i] = encodeKey(vs);
  }
  return { keys, values: (i) => cols.map((c) => c[i] ?? null) };
}
