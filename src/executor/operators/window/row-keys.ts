/**
 * Grouping keys of a batch's rows, decoded once per row (not once per window a row falls in), in a
 * form that a JS Map hashes cheaply: the value itself for one key column whose values a Map compares
 * as SQL groups them (a number, bigint, string or boolean: SameValueZero puts NaN with NaN and -0
 * with 0; BIGINT values are canonical, see common/int64.ts), else the key codec's string. State store
 * keys always come from the codec; the window operators build one only when a group is first touched
 * in a batch.
 */
import * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import { canonicalInt64 } from '../../../common/int64.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import { encodeColumns } from '../../keys/key-columns.js';

/** The Map key of a NULL grouping value (one key column). */
export const NULL_KEY: unique symbol = Symbol('NULL');

export interface RowKeys {
  /** Map key of each row's group */
  readonly keys: unknown[];
  /** the grouping values of row i, as the state stores them */
  values(i: number): unknown[];
  /** the state store key of row i (the codec's) */
  storeKey(i: number): string;
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
    for (let i = 0; i < n; i++) {
      const hi = w[2 * i + 1]!;
      // beyond ±(2^53 - 1) a BIGINT is a bigint (canonical form): a double would merge neighbours
      out[i] = hi > -0x200000 && hi < 0x200000 ? hi * 4294967296 + (w[2 * i]! >>> 0) : canonicalInt64(vals[i]!);
    }
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

/** The in-memory key of stored grouping values whose codec key is `storeKey` (as rowKeys makes it). */
export function mapKeyOfStored(codec: KeyCodec, values: readonly unknown[], storeKey: string): unknown {
  return codec.valueIsMapKey ? (values[0] ?? NULL_KEY) : storeKey;
}

export function rowKeys(codec: KeyCodec, columns: readonly arrow.Data[], n: number): RowKeys {
  if (codec.valueIsMapKey) {
    const c = decodeColumn(columns[0]!);
    const keys: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = c[i];
      keys[i] = v === null || v === undefined ? NULL_KEY : v;
    }
    return { keys, values: (i) => [c[i] ?? null], storeKey: (i) => codec.encode([c[i] ?? null]) };
  }
  const keys = encodeColumns(codec, columns, n);
  if (columns.length === 0) return { keys, values: () => [], storeKey: () => '' };
  // decoded when first asked for: an operator that reads the values another way never pays for them
  let cols: unknown[][] | undefined;
  return { keys, values: (i) => (cols ??= columns.map(decodeColumn)).map((c) => c[i] ?? null), storeKey: (i) => keys[i]! };
}
