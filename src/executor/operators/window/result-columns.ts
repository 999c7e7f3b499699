/**
 * The rows a window operator emits in a batch, gathered column by column and turned into one Arrow
 * batch. BIGINT and TIMESTAMP columns (window bounds, counts) are written straight into the Int64
 * buffer as two 32-bit halves, without a BigInt per value: closing a window with many groups
 * emits many rows at once, and BigInt allocation dominated that.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, bitmapFromMask, columnFromValues } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import type { SqlType } from '../../../common/types.js';
import '../../../common/arrow-binding.js';
import { isWideDecimal, toArrowType } from '../../../common/types.js';
import type { Chunk } from '../operator.js';

const TWO_32 = 4294967296;

/** An Int64-backed column (BIGINT, TIMESTAMP, DECIMAL) from canonical int64 values (numbers, bigints beyond 2^53), nulls allowed. */
export function int64Column(t: SqlType, values: readonly unknown[]): arrow.Data {
  const n = values.length;
  const buf = new BigInt64Array(n);
  const halves = new Int32Array(buf.buffer);
  let valid: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid ??= new Uint8Array(n).fill(1);
      valid[i] = 0;
      continue;
    }
    if (typeof v === 'bigint') { buf[i] = v; continue; } // a BIGINT beyond 2^53 (int64.ts)
    const x = Math.trunc(v as number);
    const high = Math.floor(x / TWO_32);
    halves[2 * i] = (x - high * TWO_32) | 0; // little-endian: low word first
    halves[2 * i + 1] = high;
  }
  const { bitmap, nullCount } = valid ? bitmapFromMask(valid, n) : { bitmap: undefined, nullCount: 0 };
  return arrow.makeData({ type: toArrowType(t) as arrow.Int64, length: n, nullCount, nullBitmap: bitmap, data: buf });
}

function column(t: SqlType, values: readonly unknown[]): arrow.Data {
  // (a DECIMAL(p > 18) is a Decimal128 column: columnFromValues writes it)
  return t.kind === 'BIGINT' || t.kind === 'TIMESTAMP' || (t.kind === 'DECIMAL' && !isWideDecimal(t)) ? int64Column(t, values) : columnFromValues(t, values);
}

export class ResultColumns {
  readonly cols: unknown[][];
  private readonly kinds: number[] = [];

  constructor(private readonly schema: Schema) {
    this.cols = schema.columns.map(() => []);
  }

  get size(): number {
    return this.kinds.length;
  }

  /** Count a row whose values the caller pushed into `cols` itself. */
  pushed(kind: number): void {
    this.kinds.push(kind);
  }

  addRow(row: readonly unknown[], kind: number): void {
    for (let c = 0; c < row.length; c++) this.cols[c]!.push(row[c]);
    this.kinds.push(kind);
  }

  chunk(arrowSchema: arrow.Schema, withKinds: boolean): Chunk {
    const data = this.schema.columns.map((col, i) => column(col.type, this.cols[i]!));
    const batch = batchFromColumns(arrowSchema, data, this.kinds.length);
    return withKinds ? { batch, kinds: Uint8Array.from(this.kinds) } : { batch };
  }
}
