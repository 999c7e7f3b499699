/**
 * The Weir table's columns matched to the database table's, by name as SQL matches unquoted names
 * (case-insensitively; an exact match wins), and the errors for a table or column that is not there.
 */
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { ConnectorTable } from '../api.js';
import type { DatabaseColumn } from './dialect.js';

/** The database column of each schema column; a column the database table lacks is an error naming both lists. */
export function matchColumns(table: ConnectorTable, schema: Schema, existing: readonly DatabaseColumn[], tableName: string): DatabaseColumn[] {
  return schema.columns.map((c) => {
    const found = existing.find((e) => e.name === c.name) ?? existing.find((e) => e.name.toLowerCase() === c.name.toLowerCase());
    if (found === undefined) {
      throw new WeirError('OPTION',
        `table '${table.name}': column '${c.name}' is not a column of the database table '${tableName}', which has ${existing.map((e) => `'${e.name}'`).join(', ')}`,
        table.optionSpans.get('table-name'));
    }
    return found;
  });
}

export function missingTableError(table: ConnectorTable, tableName: string, target: string, what: 'writes into' | 'reads'): WeirError {
  return new WeirError('OPTION',
    `table '${table.name}': the database table '${tableName}' does not exist in ${target}: create it first (the jdbc connector ${what} an existing table, as Flink's does)`,
    table.optionSpans.get('table-name'));
}
