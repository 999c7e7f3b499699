/**
 * What the binary formats (parquet, arrow) share when reading: a file's rows, already split into
 * column values by the library, matched to the table's columns by name and converted one record at
 * a time, so that one bad value rejects its record and not the file.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure, convertValue } from './convert.js';
import { rejectedRecord, type DecodeResult } from './decoded.js';

/**
 * For each table column, the index of the file column with its name (exact match first, then case
 * insensitive, as the JSON format matches fields), or -1 when the file lacks it or the query does
 * not read it (the column is then NULL).
 */
export function matchColumns(schema: Schema, fileNames: readonly string[], readColumns?: ReadonlySet<string>): number[] {
  return schema.columns.map((c) => {
    if (readColumns && !readColumns.has(c.name.toLowerCase())) return -1;
    const exact = fileNames.indexOf(c.name);
    if (exact >= 0) return exact;
    const lower = c.name.toLowerCase();
    return fileNames.findIndex((n) => n.toLowerCase() === lower);
  });
}

/**
 * Convert `rows` (each the file's values, by file column) to a batch of `schema`. `from[i]` is the
 * file column of table column i (-1: NULL). A NULL in a NOT NULL column the query reads, or a value
 * that does not convert, rejects that record (`fileName#row`, 1-based); an unread column is left
 * NULL whatever its nullability, as ConnectorContext.requiredColumns allows.
 */
export function rowsToBatch(
  rows: ArrayLike<readonly unknown[]>,
  schema: Schema,
  from: readonly number[],
  fileName: string,
  readColumns?: ReadonlySet<string>,
  /** why row r is rejected before any conversion (e.g. a string that is not UTF-8), if it is */
  rowError?: (r: number) => string | undefined,
  /** the file's rows before `rows` (a part of a file): rejected records name their row in the file */
  firstRow = 0,
): DecodeResult {
  const cols = schema.columns;
  const values: unknown[][] = cols.map(() => []);
  const rejected: RejectedRecord[] = [];
  const record = new Array<unknown>(cols.length);
  const checked = cols.map((c) => !c.nullable && (!readColumns || readColumns.has(c.name.toLowerCase())));
  let kept = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const bad = rowError?.(r);
    if (bad !== undefined) {
      rejected.push(rejectedRecord(`${fileName}#${firstRow + r + 1}`, bad, showRow(row)));
      continue;
    }
    try {
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        const v = from[i]! < 0 ? null : convertValue(c.type, row[from[i]!], c.name, 'json');
        if (v === null && checked[i]) throw new ConversionFailure(c.name, null, c.type, 'the column is NOT NULL');
        record[i] = v;
      }
    } catch (e) {
      if (!(e instanceof ConversionFailure)) throw e;
      rejected.push(rejectedRecord(`${fileName}#${firstRow + r + 1}`, e.reason, showRow(row)));
      continue;
    }
    for (let i = 0; i < cols.length; i++) values[i]!.push(record[i]);
    kept++;
  }
  const batch: arrow.RecordBatch = batchFromColumns(schema, cols.map((c, i) => columnFromValues(c.type, values[i]!)), kept);
  return { batch, rejected, records: rows.length };
}

/** A file that could not be read at all: one rejected record, and an empty batch. */
export function unreadableFile(schema: Schema, fileName: string, what: string, e: unknown): DecodeResult {
  const why = e instanceof Error ? e.message : String(e);
  const batch = batchFromColumns(schema, schema.columns.map((c) => columnFromValues(c.type, [])), 0);
  return { batch, rejected: [rejectedRecord(fileName, `not a readable ${what} file: ${why}`, '')], records: 1 };
}

/** A rejected binary record's values, shown as JSON (bigints as digits) for the record kept aside. */
function showRow(row: readonly unknown[]): string {
  try {
    return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '';
  }
}
