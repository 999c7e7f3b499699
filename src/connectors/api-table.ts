/**
 * Batches as an application sees them (foreachBatch handlers, `output(t).toArrow()`): one Arrow
 * Table, with a DECIMAL column as an Arrow Decimal128 of its precision and scale (Weir holds it as
 * its unscaled int64 up to 18 digits, common/decimal.ts) and every other column as Weir holds it.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns } from '../common/columns.js';
import { decimal128FromValues } from '../common/decimal128.js';
import type { Schema } from '../common/schema.js';
import '../common/arrow-binding.js';
import { toArrowField } from '../common/types.js';

/** An Int64 column of unscaled DECIMAL values as Decimal128 (a DECIMAL(p > 18) column is one already). */
function decimalColumn(d: arrow.Data, precision: number, scale: number): arrow.Data {
  if (d.typeId === arrow.Type.Decimal) return d;
  const vec = arrow.makeVector(d);
  const values: unknown[] = new Array(d.length);
  for (let i = 0; i < d.length; i++) values[i] = vec.get(i);
  return decimal128FromValues(values, precision, scale);
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
