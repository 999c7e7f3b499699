/**
 * Batches as an application sees them (foreachBatch handlers, `output(t).toArrow()`): one Arrow
 * Table, with a DECIMAL column as an Arrow Decimal128 of its precision and scale (Weir holds it as
 * its unscaled int64, common/decimal.ts) and every other column as Weir holds it.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../common/columns.js';
import type { Schema } from '../common/schema.js';
import { toArrowField } from '../common/types.js';

/** Unscaled int64 values as an Arrow Decimal128 column (two's complement, four 32-bit words a value). */
function decimal128(values: readonly unknown[], precision: number, scale: number): arrow.Data {
  const n = values.length;
  const words = new Uint32Array(n * 4);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) { nulls++; continue; }
    valid[i >> 3]! |= 1 << (i & 7);
    const b = BigInt.asUintN(128, BigInt(v as number | bigint));
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((b >> BigInt(32 * w)) & 0xffffffffn);
  }
  return arrow.makeData({ type: new arrow.Decimal(scale, precision, 128), length: n, nullCount: nulls, nullBitmap: nulls > 0 ? valid : undefined, data: words });
}

/** An Int64 column of unscaled DECIMAL values as Decimal128. */
function decimalColumn(d: arrow.Data, precision: number, scale: number): arrow.Data {
  const vec = arrow.makeVector(d);
  const values: unknown[] = new Array(d.length);
  for (let i = 0; i < d.length; i++) values[i] = vec.get(i);
  return decimal128(values, precision, scale);
}

/** Weir's batches of `schema` as one Arrow Table for an application. */
export function applicationTable(schema: Schema, batches: readonly arrow.RecordBatch[]): arrow.Table {
  const fields = schema.columns.map((c) =>
    c.type.kind === 'DECIMAL' ? new arrow.Field(c.name, new arrow.Decimal(c.type.scale, c.type.precision, 128), true) : toArrowField(c.name, c.type));
  const arrowSchema = new arrow.Schema(fields);
  if (!schema.columns.some((c) => c.type.kind === 'DECIMAL')) {
    return batches.length === 0 ? new arrow.Table(arrowSchema) : new arrow.Table(batches.map((b) => new arrow.RecordBatch(arrowSchema, b.data)));
  }
  const out = batches.map((b) => {
    const cols = schema.columns.map((c, i) => {
      const d = b.data.children[i]!;
      return c.type.kind === 'DECIMAL' ? decimalColumn(d, c.type.precision, c.type.scale) : d;
    });
    return batchFromColumns(arrowSchema, cols, b.numRows);
  });
  return out.length === 0 ? new arrow.Table(arrowSchema) : new arrow.Table(out);
}
