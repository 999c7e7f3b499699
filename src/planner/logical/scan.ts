import type { Schema } from '../../common/schema.js';
import type { CatalogTable } from '../catalog.js';

/**
 * Read a table's physical columns from its connector. `columns` lists the physical columns the
 * query needs (projection pruning narrows it); the output has exactly those, in that order.
 */
export interface Scan {
  readonly kind: 'scan';
  readonly table: CatalogTable;
  /** indices into the table's physical columns (0 = first physical column) */
  readonly columns: readonly number[];
  readonly schema: Schema;
  /**
   * For ROW columns of which the query reads only some fields (nested projection pruning): physical
   * column index → the names of the fields read. A column not listed is read whole.
   */
  readonly requiredFields?: ReadonlyMap<number, readonly string[]>;
}

export function scan(table: CatalogTable, columns?: readonly number[]): Scan {
  const cols = columns ?? table.physical.map((_, i) => i);
  return { kind: 'scan', table, columns: cols, schema: { columns: cols.map((i) => table.columns[table.physical[i]!]!) } };
}
