/**
 * The jdbc source: a bounded read of the whole table (as Flink's JDBC scan source without partition
 * options), which is what a lookup join (`JOIN t FOR SYSTEM_TIME AS OF s.proctime`) loads when its
 * query starts. Only the columns the query reads are selected; the others stay NULL.
 *
 * Offsets: before the read none, after it `{"read": true}`; read(undefined, end) selects the
 * table. The table may change between runs, so the source is not replayable (a re-read could give
 * other rows).
 *
 * Each value is converted to its column's type as the text formats convert (formats/convert.ts); a
 * row with a value that does not convert (text in an INT column, an out-of-range number) is a
 * rejected record `jdbc[table]:row N` (N counts from 1 in the SELECT's order, by the table's first
 * column), never a crash.
 */
import { rejectedRecord, ColumnsCollector } from '../formats/decoded.js';
import { ConversionFailure, convertValue } from '../formats/convert.js';
import type { Schema } from '../../common/schema.js';
import type { ConnectorContext, ConnectorTable, Json, RejectedRecord, Source, SourceReadResult } from '../api.js';
import { messageOf, quoteIdent, type Dialect, type SqlSession } from './dialect.js';
import { dialectFor } from './dialects.js';
import { jdbcOptions } from './options.js';
import { matchColumns, missingTableError } from './table-columns.js';
import { ConnectorUnavailableError } from '../api.js';
import { WeirError } from '../../common/errors.js';

const DONE: Json = { read: true };

export class JdbcSource implements Source {
  readonly schema: Schema;
  readonly description: string;
  readonly bounded = true;
  private readonly dialect: Dialect;
  private readonly tableName: string;
  /** schema column indices the query reads */
  private readonly readColumns: readonly number[];

  constructor(private readonly table: ConnectorTable, ctx: ConnectorContext) {
    const o = jdbcOptions(table, ctx.baseDir);
    this.dialect = dialectFor(o.target);
    this.tableName = o.tableName;
    this.schema = table.schema;
    this.readColumns = ctx.requiredColumns ?? table.schema.columns.map((_, i) => i);
    this.description = `jdbc[${this.dialect.target}/${o.tableName}]`;
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    return start ?? DONE;
  }

  isExhausted(offset: Json | undefined): boolean {
    return offset !== undefined && offset !== null;
  }

  async read(start: Json | undefined, _end: Json): Promise<SourceReadResult> {
    if (start !== undefined && start !== null) return { batches: [], rejected: [] };
    let session: SqlSession | undefined;
    try {
      session = await this.dialect.connect();
      return await this.readTable(session);
    } catch (e) {
      if (e instanceof ConnectorUnavailableError || e instanceof WeirError) throw e;
      throw new WeirError('RUNTIME', `${this.description}: reading the table failed: ${messageOf(e)}`);
    } finally {
      await session?.close();
    }
  }

  private async readTable(s: SqlSession): Promise<SourceReadResult> {
    const existing = await this.dialect.tableColumns(s, this.tableName);
    if (!existing) throw missingTableError(this.table, this.tableName, this.dialect.target, 'reads');
    const names = matchColumns(this.table, this.schema, existing, this.tableName);
    const cols = this.readColumns.map((i) => ({ index: i, column: this.schema.columns[i]!, read: this.dialect.resultReader(this.schema.columns[i]!.type) }));
    const select = cols.length === 0 ? '1' : cols.map((c) => quoteIdent(names[c.index]!.name)).join(', ');
    const rows = await s.query(`SELECT ${select} FROM ${this.tableName}`);
    const collector = new ColumnsCollector(this.schema);
    const rejected: RejectedRecord[] = [];
    const record: unknown[] = new Array(this.schema.columns.length).fill(null);
    const origin = `jdbc[${this.tableName}]`;
    rows.forEach((row, n) => {
      try {
        for (let k = 0; k < cols.length; k++) {
          const c = cols[k]!;
          const v = row[k];
          record[c.index] = v === null || v === undefined ? null : convertValue(c.column.type, c.read(v), c.column.name, 'text');
        }
        collector.add(record);
      } catch (e) {
        if (!(e instanceof ConversionFailure)) throw e;
        rejected.push(rejectedRecord(`${origin}:row ${n + 1}`, e.reason, rawRow(cols.map((c) => c.column.name), row)));
      }
    });
    return { batches: collector.length > 0 ? [collector.finish()] : [], rejected };
  }

  async close(): Promise<void> {}
}

/** The row as JSON text, for the rejected record (bigints as their digits, bytes as hex). */
function rawRow(names: readonly string[], row: readonly unknown[]): string {
  const o: Record<string, unknown> = {};
  names.forEach((n, i) => {
    const v = row[i];
    o[n] = typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
  });
  return JSON.stringify(o);
}
