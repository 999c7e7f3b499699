/**
 * What the text formats share: the result of decoding a file (a batch plus the records that did not
 * decode), the column-wise collector the decoders fill, and the Format interface the filesystem
 * connector picks by the `'format'` option.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { RejectedRecord } from '../api.js';
import { ConversionFailure } from './convert.js';

export interface DecodeResult {
  /** the records that decoded, with the schema given to the decoder */
  readonly batch: arrow.RecordBatch;
  readonly rejected: readonly RejectedRecord[];
  /** records seen (decoded + rejected), for progress */
  readonly records: number;
}

export interface Format {
  readonly name: 'json' | 'csv';
  /** file name extension of the part files a sink writes */
  readonly extension: string;
  /** `fileName` is the origin prefix of rejected records (`name:line`) */
  decode(text: string, schema: Schema, fileName: string): DecodeResult;
  /**
   * Rows of `batch` (with `schema`) as file text. `ops`, when given, holds one changelog marker per
   * row ('' for an insert/upsert, 'delete'), written as the extra field `_op` where not empty.
   */
  encode(batch: arrow.RecordBatch, schema: Schema, ops?: readonly string[]): string;
}

/** Raw text kept with a rejected record is capped: a broken multi-megabyte line must not pile up in memory. */
const MAX_RAW = 4096;

export function rejectedRecord(origin: string, reason: string, raw: string): RejectedRecord {
  return { origin, reason, raw: raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW)}…` : raw };
}

/** Column-wise value lists for one schema; a record is added whole or not at all. */
export class ColumnsCollector {
  private readonly values: unknown[][];
  private rows = 0;

  constructor(private readonly schema: Schema) {
    this.values = schema.columns.map(() => []);
  }

  /** `record[i]` is column i's converted value. Throws ConversionFailure for a NULL in a NOT NULL column. */
  add(record: readonly unknown[]): void {
    const cols = this.schema.columns;
    for (let i = 0; i < cols.length; i++) {
      if (!cols[i]!.nullable && (record[i] === null || record[i] === undefined)) {
        throw new ConversionFailure(cols[i]!.name, null, cols[i]!.type, 'the column is NOT NULL');
      }
    }
    for (let i = 0; i < cols.length; i++) this.values[i]!.push(record[i] ?? null);
    this.rows++;
  }

  get length(): number {
    return this.rows;
  }

  finish(): arrow.RecordBatch {
    const cols = this.schema.columns.map((c, i) => columnFromValues(c.type, this.values[i]!));
    return batchFromColumns(this.schema, cols, this.rows);
  }
}
