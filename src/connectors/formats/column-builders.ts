/**
 * Columns the streaming decoders build often, built without a value per element: a column of NULLs
 * for each column the query does not read (zeroed buffers, no array of nulls to scan), and 64-bit
 * integer columns written through two 32-bit halves instead of a BigInt per value.
 */
import * as arrow from 'apache-arrow';
import { bitmapFromMask, columnFromValues, nullColumn } from '../../common/columns.js';
import '../../common/arrow-binding.js';
import { toArrowType, type SqlType } from '../../common/types.js';

const TWO_32 = 4294967296;

/** `length` NULLs of type `t`. */
export function allNullColumn(t: SqlType, length: number): arrow.Data {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  const base = { length, nullCount: length, nullBitmap };
  switch (t.kind) {
    case 'TINYINT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int8, data: new Int8Array(length) });
    case 'SMALLINT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int16, data: new Int16Array(length) });
    case 'INT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int32, data: new Int32Array(length) });
    case 'DATE': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.DateDay, data: new Int32Array(length) });
    case 'BIGINT': case 'DECIMAL':
      return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Int64, data: new BigInt64Array(length) });
    case 'TIMESTAMP': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.TimestampMillisecond, data: new BigInt64Array(length) });
    case 'FLOAT': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Float32, data: new Float32Array(length) });
    case 'DOUBLE': case 'INTERVAL': return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Float64, data: new Float64Array(length) });
    case 'VARCHAR':
      return arrow.makeData({ ...base, type: toArrowType(t) as arrow.Utf8, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) });
    default: return nullColumn(t, length);
  }
}

/** A column from converted values (as convertValue gives them); BIGINT and TIMESTAMP without BigInts. */
export function columnOf(t: SqlType, values: readonly unknown[]): arrow.Data {
  if (t.kind !== 'BIGINT' && t.kind !== 'TIMESTAMP') return columnFromValues(t, values);
  const n = values.length;
  const data = new BigInt64Array(n);
  const halves = new Uint32Array(data.buffer);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    valid[i] = 1;
    if (typeof v === 'number') {
      // a safe integer: v = hi * 2^32 + lo, lo in [0, 2^32); hi's two's complement is the high word
      const hi = Math.floor(v / TWO_32);
      halves[2 * i] = v - hi * TWO_32;
      halves[2 * i + 1] = hi >>> 0;
    } else {
      data[i] = v as bigint;
    }
  }
  const { bitmap, nullCount } = bitmapFromMask(valid, n);
  const type = toArrowType(t) as arrow.Int64;
  return arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, data });
}
