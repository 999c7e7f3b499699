/**
 * What the jdbc sink and source need from a database, so their logic is written once: a session
 * that runs SQL with positional parameters, the parameter syntax and limit, how a table's columns
 * are found, and how a column value becomes a parameter and a result value becomes a column value.
 * postgres.ts and sqlite.ts implement it; the client libraries are imported only when a session
 * opens, so `import('weir')` never loads them.
 *
 * Both databases take the same SQL for everything the sink writes: `"double-quoted"` identifiers,
 * multi-row `INSERT ... VALUES (...), (...)`, `INSERT ... ON CONFLICT (key) DO UPDATE SET c =
 * excluded.c`, and BEGIN/COMMIT transactions.
 */
import type { SqlType } from '../../common/types.js';
import { decimalToText } from '../../common/decimal.js';
import { jsonText } from '../formats/json-values.js';
import { formatDate, shortestFloat32, toJsonValue } from '../formats/convert.js';

export interface SqlSession {
  /** The rows of a query, each an array in the select list's order. */
  query(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** A statement whose result is not needed. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** True once the connection failed: the owner opens a new session for its next call. */
  readonly broken: boolean;
  close(): Promise<void>;
}

export interface Dialect {
  readonly name: 'postgresql' | 'sqlite';
  /** `postgresql[host:port/db]`, `sqlite[/path/file.db]`: for messages and ConnectorUnavailableError */
  readonly target: string;
  /** the most bound parameters one statement may have */
  readonly maxParameters: number;
  /** starts a transaction that holds the write lock from its start (SQLite: IMMEDIATE) */
  readonly beginSql: string;
  /** appended to the SELECT of the batch bookkeeping row, locking it until commit */
  readonly lockRowSuffix: string;
  /** the i-th (1-based) parameter's placeholder */
  placeholder(i: number): string;
  /**
   * A new session. Throws ConnectorUnavailableError when the server cannot be reached, a WeirError
   * when the client is missing or the database cannot be opened.
   */
  connect(): Promise<SqlSession>;
  /** The columns of `tableName` (as written in the options) in their order; undefined when there is no such table. */
  tableColumns(session: SqlSession, tableName: string): Promise<DatabaseColumn[] | undefined>;
  /**
   * PostgreSQL: rows may be inserted as one array per column, `INSERT ... SELECT * FROM
   * unnest($1::type[], ...)`: one short statement for any number of rows, where a multi-row VALUES
   * list is parsed and planned anew each time (5x faster, bench/connectors/jdbc.js).
   */
  readonly arrayInsert: boolean;
  /** How a column value of type `t` (common/types.ts) is passed as a parameter. */
  paramWriter(t: SqlType): (v: unknown) => unknown;
  /** How a value the client returns for a column is made ready for convertValue (formats/convert.ts). */
  resultReader(t: SqlType): (v: unknown) => unknown;
}

export interface DatabaseColumn {
  readonly name: string;
  /** the database's name of its type (PostgreSQL's format_type: `numeric(12,2)`), for casts */
  readonly type: string;
}

/** `"name"` with inner quotes doubled: the same in PostgreSQL and SQLite. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The parts of a validated table name (options.ts), unquoted: `a."B"` → ['a', 'B']. */
export function tableNameParts(tableName: string): string[] {
  const parts: string[] = [];
  const re = /"((?:[^"]|"")+)"|([^."]+)/g;
  for (const m of tableName.matchAll(re)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return parts;
}

/** The error's message, whatever was thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const asIs = (v: unknown): unknown => v;

/**
 * A column value as the parameter both databases read for its type: DECIMAL as its exact text,
 * DATE as text, a FLOAT as its shortest text (0.1, not 0.10000000149011612: the same float, and a
 * DOUBLE column gets 0.1), ROW as JSON; TIMESTAMP and BOOLEAN as the dialect spells them.
 */
export function paramOf(t: SqlType, spell: { timestamp: (ms: number) => string; boolean?: (b: boolean) => unknown }): (v: unknown) => unknown {
  switch (t.kind) {
    case 'BOOLEAN': {
      const b = spell.boolean;
      return b ? (v) => (v === null ? null : b(v as boolean)) : asIs;
    }
    case 'DECIMAL': {
      const scale = t.scale;
      return (v) => (v === null ? null : decimalToText(v as number | bigint, scale));
    }
    case 'DATE':
      return (v) => (v === null ? null : formatDate(v as number));
    case 'TIMESTAMP':
      return (v) => (v === null ? null : spell.timestamp(v as number));
    case 'FLOAT':
      return (v) => (v === null ? null : shortestFloat32(v as number));
    case 'ROW': case 'ARRAY': case 'MAP': case 'MULTISET': // as JSON text (a JSON/JSONB or text column)
      return (v) => (v === null ? null : jsonText(toJsonValue(t, v)));
    default:
      return asIs;
  }
}
