/**
 * A column of a batch as hyparquet-writer's column data, taken from the Arrow column's arrays: a
 * 64-bit column without NULLs is handed over as its BigInt64Array (no value per element), INT and
 * the doubles as their typed arrays, a string column's values cut from one decode of its bytes when
 * they are ASCII; with NULLs, an array holding null at each. The writer writes the same file as it
 * did from the values valueAt gives (test/connectors/formats/parquet.test.ts compares the bytes).
 */
import * as arrow from 'apache-arrow';
import { isAscii } from 'node:buffer';
import { readerFor } from '../../common/columns.js';
import type { SqlType } from '../../common/types.js';

/** hyparquet's DecodedArray */
export type ParquetColumnData = BigInt64Array | Int32Array | Float32Array | Float64Array | unknown[];

/** The column's valid rows (undefined: every row is). */
function validity(d: arrow.Data): ((i: number) => boolean) | undefined {
  const off = d.offset;
  const bm = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : undefined;
  return bm ? (i) => ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1 : undefined;
}

/** `n` values of a column whose value at `i` is `at(i)` (valid rows only), null elsewhere. */
function withNulls(n: number, valid: (i: number) => boolean, at: (i: number) => unknown): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = valid(i) ? at(i) : null;
  return out;
}

/** A Utf8 column's strings: one decode of its bytes when ASCII (then offsets are characters), else one per value. */
function strings(d: arrow.Data, n: number, valid: ((i: number) => boolean) | undefined): unknown[] {
  const o = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const first = o[0]!, last = o[n]!;
  const span = bytes.subarray(first, last);
  if (!isAscii(span)) {
    const read = readerFor(d);
    return Array.from({ length: n }, (_, i) => read(i));
  }
  const text = Buffer.from(span.buffer, span.byteOffset, span.byteLength).toString('latin1');
  const at = (i: number): string => text.slice(o[i]! - first, o[i + 1]! - first);
  return valid ? withNulls(n, valid, at) : Array.from({ length: n }, (_, i) => at(i));
}

/**
 * The column data for a leaf of type `t`, or undefined when the value-by-value conversion should
 * make it (the other types, and columns held otherwise than these arrays).
 */
export function parquetColumnData(t: SqlType, d: arrow.Data, n: number): ParquetColumnData | undefined {
  const valid = validity(d);
  const vals = d.values as unknown;
  switch (t.kind) {
    case 'BIGINT': case 'TIMESTAMP':
    case 'DECIMAL': {
      if (!(vals instanceof BigInt64Array)) return undefined; // a wide DECIMAL is a Decimal128
      const v = vals.subarray(0, n);
      return valid ? withNulls(n, valid, (i) => v[i]) : v;
    }
    case 'INT': case 'DOUBLE': case 'INTERVAL': case 'FLOAT': {
      if (!(vals instanceof Int32Array || vals instanceof Float64Array || vals instanceof Float32Array)) return undefined;
      const v = vals.subarray(0, n);
      return valid ? withNulls(n, valid, (i) => v[i]) : v;
    }
    case 'VARCHAR':
      return d.typeId === arrow.Type.Utf8 ? strings(d, n, valid) : undefined;
    default:
      return undefined;
  }
}
