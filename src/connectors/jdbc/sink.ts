/**
 * The jdbc sink: each micro-batch written into an existing table in one transaction together with
 * its batch id, so a batch delivered again (a re-run after a crash, a retry after the connection
 * broke during COMMIT) is skipped: exactly once.
 *
 * The batch ids live in `weir_sink_batches(sink, writer, batch_id)` beside the table (created when
 * missing): `sink` is the table name, `writer` the query's checkpoint id (its query id without a
 * checkpoint). The transaction first reads (and locks) that row; if it holds N or more, batch N was
 * committed before and the transaction ends there. A new checkpoint writing into the same table is
 * another writer and starts afresh. The late-rows table, written without a writer, gets a plain
 * transaction per batch.
 *
 * Output modes:
 * - append: the rows are INSERTed.
 * - update: each key's last change in the batch is applied: INSERT and UPDATE_AFTER upsert it
 *   (`INSERT ... ON CONFLICT (key) DO UPDATE`), DELETE deletes it, and an UPDATE_BEFORE that no
 *   later upsert of its key follows (a filter above an aggregate dropped the new row) deletes it
 *   too. The key is the table's PRIMARY KEY (...) NOT ENFORCED, else the query's unique key; the
 *   database table needs a primary key or unique constraint on those columns for ON CONFLICT.
 * - complete: the table's rows are deleted and the whole result inserted.
 *
 * Rows go in multi-row INSERT statements of as many rows as the database's parameter limit allows
 * (PostgreSQL 65535, SQLite 32766), at most `sink.buffer-flush.max-rows`.
 */
import type * as arrow from 'apache-arrow';
import { readerFor, valueAt } from '../../common/columns.js';
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { ConnectorUnavailableError, RowKind, type ConnectorContext, type ConnectorTable, type OutputMode, type Sink, type SinkBatch, type SinkWriter } from '../api.js';
import { messageOf, quoteIdent, type Dialect, type SqlSession } from './dialect.js';
import { dialectFor } from './dialects.js';
import { jdbcOptions } from './options.js';
import { matchColumns, missingTableError } from './table-columns.js';

export const BATCHES_TABLE = 'weir_sink_batches';
/** the most rows one INSERT carries by default: larger statements were no faster (bench/connectors/jdbc.js) */
const DEFAULT_ROWS_PER_STATEMENT = 1_000;
/** rows per unnest INSERT (PostgreSQL): one statement per 50 000 rows keeps the arrays' text small */
const DEFAULT_ROWS_PER_ARRAY_INSERT = 50_000;

/** Rows picked from a SinkBatch's data: batch `b[i]`, row `r[i]`. */
interface RowRefs {
  readonly b: Int32Array;
  readonly r: Int32Array;
  readonly length: number;
}

export class JdbcSink implements Sink {
  readonly description: string;
  private readonly dialect: Dialect;
  private readonly tableName: string;
  private readonly maxRows: number | undefined;
  private session: SqlSession | undefined;
  private schema: Schema = { columns: [] };
  private mode: OutputMode = 'append';
  private keyColumns: readonly number[] = [];
  /** the bookkeeping row's writer; undefined: no bookkeeping */
  private writer: string | undefined;
  /** quoted target column of each schema column */
  private targetColumns: string[] = [];
  private writers: ((v: unknown) => unknown)[] = [];
  /** PostgreSQL: each column's array type, for unnest inserts (undefined: VALUES lists) */
  private arrayTypes: string[] | undefined;

  constructor(private readonly table: ConnectorTable, ctx: ConnectorContext) {
    const o = jdbcOptions(table, ctx.baseDir);
    this.dialect = dialectFor(o.target);
    this.tableName = o.tableName;
    this.maxRows = o.maxRowsPerStatement;
    this.description = `jdbc[${this.dialect.target}/${o.tableName}]`;
  }

  async open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string; writer?: SinkWriter }): Promise<void> {
    this.schema = ctx.schema;
    this.mode = ctx.mode;
    this.keyColumns = ctx.keyColumns;
    this.writer = ctx.writer && (ctx.writer.checkpointId ?? ctx.writer.queryId);
    if (this.mode === 'update' && this.keyColumns.length === 0) {
      throw new WeirError('PLAN', `table '${this.table.name}': the jdbc sink in update mode upserts by a key, and the query has none: declare PRIMARY KEY (...) NOT ENFORCED on the table`,
        this.table.optionSpans.get('connector'));
    }
    await this.withSession(async (s) => {
      const existing = await this.dialect.tableColumns(s, this.tableName);
      if (!existing) throw missingTableError(this.table, this.tableName, this.dialect.target, 'writes into');
      const matched = matchColumns(this.table, this.schema, existing, this.tableName);
      this.targetColumns = matched.map((c) => quoteIdent(c.name));
      // an array column's type would need an array of arrays: those tables take VALUES lists
      this.arrayTypes = this.dialect.arrayInsert && matched.every((c) => !c.type.endsWith(']')) ? matched.map((c) => `${c.type}[]`) : undefined;
      if (this.writer !== undefined) {
        await s.run(`CREATE TABLE IF NOT EXISTS ${BATCHES_TABLE} (sink VARCHAR(512) NOT NULL, writer VARCHAR(128) NOT NULL, batch_id BIGINT NOT NULL, PRIMARY KEY (sink, writer))`)
          .catch(async (e: unknown) => {
            // another query created it at the same moment (PostgreSQL reports a duplicate type)
            if (!(await this.dialect.tableColumns(s, BATCHES_TABLE))) throw e;
          });
      }
    });
    this.writers = this.schema.columns.map((c) => this.dialect.paramWriter(c.type));
  }

  async write(batch: SinkBatch): Promise<void> {
    await this.withSession(async (s) => {
      await s.run(this.dialect.beginSql);
      try {
        if (this.writer !== undefined && (await this.committedBefore(s, batch.batchId))) {
          await s.run('ROLLBACK');
          return;
        }
        await this.writeRows(s, batch);
        if (this.writer !== undefined) {
          const p = (i: number): string => this.dialect.placeholder(i);
          await s.run(`INSERT INTO ${BATCHES_TABLE} (sink, writer, batch_id) VALUES (${p(1)}, ${p(2)}, ${p(3)}) `
            + 'ON CONFLICT (sink, writer) DO UPDATE SET batch_id = excluded.batch_id', [this.tableName, this.writer, batch.batchId]);
        }
        await s.run('COMMIT');
      } catch (e) {
        if (!s.broken) await s.run('ROLLBACK').catch(() => undefined);
        if (e instanceof ConnectorUnavailableError || e instanceof WeirError) throw e;
        throw new WeirError('RUNTIME', `${this.description}: writing batch ${batch.batchId} failed: ${messageOf(e)}${hintFor(e, this.mode)}`);
      }
    });
  }

  /** Whether the bookkeeping row says batch `id` was committed (and locks the row until COMMIT). */
  private async committedBefore(s: SqlSession, id: number): Promise<boolean> {
    const p = (i: number): string => this.dialect.placeholder(i);
    const rows = await s.query(`SELECT batch_id FROM ${BATCHES_TABLE} WHERE sink = ${p(1)} AND writer = ${p(2)}${this.dialect.lockRowSuffix}`, [this.tableName, this.writer]);
    return rows.length > 0 && Number(rows[0]![0]) >= id;
  }

  private async writeRows(s: SqlSession, batch: SinkBatch): Promise<void> {
    const { data, kinds } = batch;
    if (this.mode === 'complete') {
      await s.run(`DELETE FROM ${this.tableName}`);
      await this.insert(s, data, allRows(data), '');
      return;
    }
    if (this.mode === 'append') {
      await this.insert(s, data, allRows(data), '');
      return;
    }
    // (without kinds every row is an insert; a key may still come twice in one batch)
    const { upserts, deletes } = this.lastChangePerKey(data, kinds ?? new Uint8Array(data.reduce((n, b) => n + b.numRows, 0)));
    await this.deleteKeys(s, data, deletes);
    await this.insert(s, data, upserts, this.upsertClause());
  }

  /** `ON CONFLICT (key) DO UPDATE SET c = excluded.c, ...` (DO NOTHING when every column is in the key). */
  private upsertClause(): string {
    const keys = this.keyColumns.map((k) => this.targetColumns[k]!);
    const rest = this.targetColumns.filter((_, i) => !this.keyColumns.includes(i));
    const action = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    return ` ON CONFLICT (${keys.join(', ')}) ${action}`;
  }

  /** INSERT the referenced rows in statements of as many rows as the parameter limit and option allow. */
  private async insert(s: SqlSession, data: readonly arrow.RecordBatch[], rows: RowRefs, suffix: string): Promise<void> {
    if (rows.length === 0) return;
    if (this.arrayTypes) return this.insertArrays(s, data, rows, suffix, this.arrayTypes);
    const ncols = this.targetColumns.length;
    const perStatement = Math.max(1, Math.min(this.maxRows ?? DEFAULT_ROWS_PER_STATEMENT, Math.floor(this.dialect.maxParameters / ncols)));
    const head = `INSERT INTO ${this.tableName} (${this.targetColumns.join(', ')}) VALUES `;
    let fullSql: string | undefined;
    const readers = data.map((b) => b.data.children.map((d) => readerFor(d)));
    const writers = this.writers;
    for (let start = 0; start < rows.length; start += perStatement) {
      const n = Math.min(perStatement, rows.length - start);
      const params: unknown[] = new Array(n * ncols);
      let k = 0;
      for (let i = start; i < start + n; i++) {
        const cols = readers[rows.b[i]!]!;
        const r = rows.r[i]!;
        for (let c = 0; c < ncols; c++) {
          const v = cols[c]!(r);
          params[k++] = v === null || v === undefined ? null : writers[c]!(v);
        }
      }
      const sql = n === perStatement ? (fullSql ??= head + this.valuesList(n, ncols) + suffix) : head + this.valuesList(n, ncols) + suffix;
      await s.run(sql, params);
    }
  }

  /** PostgreSQL: `INSERT ... SELECT * FROM unnest($1::t1[], ...)`, one array per column. */
  private async insertArrays(s: SqlSession, data: readonly arrow.RecordBatch[], rows: RowRefs, suffix: string, types: readonly string[]): Promise<void> {
    const ncols = types.length;
    const perStatement = this.maxRows ?? DEFAULT_ROWS_PER_ARRAY_INSERT;
    const sql = `INSERT INTO ${this.tableName} (${this.targetColumns.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `${this.dialect.placeholder(i + 1)}::${t}`).join(', ')})${suffix}`;
    const readers = data.map((b) => b.data.children.map((d) => readerFor(d)));
    const writers = this.writers;
    for (let start = 0; start < rows.length; start += perStatement) {
      const n = Math.min(perStatement, rows.length - start);
      const arrays: unknown[][] = Array.from({ length: ncols }, () => new Array(n));
      for (let i = 0; i < n; i++) {
        const cols = readers[rows.b[start + i]!]!;
        const r = rows.r[start + i]!;
        for (let c = 0; c < ncols; c++) {
          const v = cols[c]!(r);
          arrays[c]![i] = v === null || v === undefined ? null : writers[c]!(v);
        }
      }
      await s.run(sql, arrays);
    }
  }

  /** `(p1, p2), (p3, p4), ...` for `rows` rows of `ncols` parameters. */
  private valuesList(rows: number, ncols: number): string {
    const parts: string[] = new Array(rows);
    let k = 1;
    for (let r = 0; r < rows; r++) {
      const row: string[] = new Array(ncols);
      for (let c = 0; c < ncols; c++) row[c] = this.dialect.placeholder(k++);
      parts[r] = `(${row.join(', ')})`;
    }
    return parts.join(', ');
  }

  /** DELETE the referenced rows' keys, as `k IN (...)` or `(a = ? AND b = ?) OR ...`. */
  private async deleteKeys(s: SqlSession, data: readonly arrow.RecordBatch[], rows: RowRefs): Promise<void> {
    const keys = this.keyColumns;
    const perStatement = Math.max(1, Math.min(1_000, Math.floor(this.dialect.maxParameters / keys.length)));
    for (let start = 0; start < rows.length; start += perStatement) {
      const n = Math.min(perStatement, rows.length - start);
      const params: unknown[] = [];
      const terms: string[] = [];
      for (let i = start; i < start + n; i++) {
        const cols = data[rows.b[i]!]!.data.children;
        const term: string[] = [];
        for (const k of keys) {
          const v = valueAt(cols[k]!, rows.r[i]!);
          params.push(v === null ? null : this.writers[k]!(v));
          term.push(keys.length === 1 ? this.dialect.placeholder(params.length) : `${this.targetColumns[k]} = ${this.dialect.placeholder(params.length)}`);
        }
        terms.push(keys.length === 1 ? term[0]! : `(${term.join(' AND ')})`);
      }
      const where = keys.length === 1 ? `${this.targetColumns[keys[0]!]} IN (${terms.join(', ')})` : terms.join(' OR ');
      await s.run(`DELETE FROM ${this.tableName} WHERE ${where}`, params);
    }
  }

  /**
   * Each key's last change in the batch: an upsert (INSERT, UPDATE_AFTER) or a delete (DELETE, or an
   * UPDATE_BEFORE no later upsert follows). One statement then touches each key once, as
   * PostgreSQL's ON CONFLICT DO UPDATE requires.
   */
  private lastChangePerKey(data: readonly arrow.RecordBatch[], kinds: Uint8Array): { upserts: RowRefs; deletes: RowRefs } {
    const last = new Map<string, number>();
    const at: [number, number][] = [];
    const keyReaders = data.map((b) => this.keyColumns.map((k) => readerFor(b.data.children[k]!)));
    let g = 0;
    data.forEach((b, bi) => {
      for (let r = 0; r < b.numRows; r++, g++) {
        const key = keyText(keyReaders[bi]!.map((read) => read(r)));
        last.set(key, g);
        at[g] = [bi, r];
      }
    });
    const up: number[] = [];
    const del: number[] = [];
    for (const g of last.values()) {
      const kind = kinds[g];
      (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? up : del).push(g);
    }
    const refs = (list: number[]): RowRefs => ({
      b: Int32Array.from(list, (x) => at[x]![0]),
      r: Int32Array.from(list, (x) => at[x]![1]),
      length: list.length,
    });
    return { upserts: refs(up.sort((a, b) => a - b)), deletes: refs(del.sort((a, b) => a - b)) };
  }

  /** Runs `f` on the session, opening one first when there is none (or the last one broke). */
  private async withSession<T>(f: (s: SqlSession) => Promise<T>): Promise<T> {
    if (this.session?.broken) {
      await this.session.close().catch(() => undefined);
      this.session = undefined;
    }
    this.session ??= await this.dialect.connect();
    return f(this.session);
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}

function allRows(data: readonly arrow.RecordBatch[]): RowRefs {
  const length = data.reduce((n, b) => n + b.numRows, 0);
  const b = new Int32Array(length);
  const r = new Int32Array(length);
  let i = 0;
  data.forEach((batch, bi) => {
    for (let row = 0; row < batch.numRows; row++, i++) {
      b[i] = bi;
      r[i] = row;
    }
  });
  return { b, r, length };
}

function keyText(values: readonly unknown[]): string {
  return values.length === 1 && typeof values[0] === 'string' ? `s${values[0]}` : JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** What to do about a database error the user can fix. */
function hintFor(e: unknown, mode: OutputMode): string {
  const m = messageOf(e);
  if (mode === 'update' && /no unique or exclusion constraint matching|does not match any PRIMARY KEY or UNIQUE/i.test(m)) {
    return ' (update mode upserts with ON CONFLICT on the key columns: the database table needs a PRIMARY KEY or UNIQUE constraint on them)';
  }
  return '';
}
