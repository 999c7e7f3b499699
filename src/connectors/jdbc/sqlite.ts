/**
 * SQLite through better-sqlite3, an optional dependency: when it cannot be imported, the table
 * fails with a message saying to install it. The client is synchronous; a session is one open
 * database file with its prepared statements cached by SQL text.
 *
 * Storage follows SQLite's own conventions: BOOLEAN as 0/1, DATE as 'YYYY-MM-DD', TIMESTAMP as
 * 'YYYY-MM-DD HH:MM:SS.fff' (UTC; what SQLite's date functions read), DECIMAL as its exact text (the
 * column's affinity decides what SQLite keeps: NUMERIC turns it into a REAL when it is not an
 * integer). Integers are read as bigints, so a BIGINT beyond 2^53 is exact.
 *
 * The database file must exist (the target table must, as in Flink). Another writer holding the
 * lock makes a call wait up to 5 s, then fail as ConnectorUnavailableError (retried with backoff).
 */
import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { ConnectorUnavailableError } from '../api.js';
import { formatTimestampSql } from '../formats/convert.js';
import { messageOf, paramOf, tableNameParts, type Dialect, type SqlSession } from './dialect.js';
import { describeTarget, type SqliteTarget } from './options.js';

const BUSY_TIMEOUT_MS = 5_000;

class SqliteSession implements SqlSession {
  broken = false;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database, private readonly target: string) {}

  private statement(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (s.reader) s.raw(true).safeIntegers(true);
      // multi-row INSERTs of many sizes would pile up: keep the recent ones only
      if (this.statements.size > 64) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    try {
      return this.statement(sql).all(...params) as unknown[][];
    } catch (e) {
      throw this.translate(e);
    }
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<void> {
    try {
      const s = this.statement(sql);
      if (s.reader) s.all(...params);
      else s.run(...params);
    } catch (e) {
      throw this.translate(e);
    }
  }

  private translate(e: unknown): unknown {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new ConnectorUnavailableError(this.target, `${this.target}: the database is locked by another writer: ${messageOf(e)}`, { cause: e });
    }
    return e;
  }

  async close(): Promise<void> {
    this.broken = true;
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

export function sqliteDialect(target: SqliteTarget): Dialect {
  const name = describeTarget(target);
  return {
    name: 'sqlite',
    target: name,
    // SQLITE_MAX_VARIABLE_NUMBER's default since 3.32
    maxParameters: 32_766,
    // take the write lock at BEGIN: a deferred transaction could fail at its first write instead
    beginSql: 'BEGIN IMMEDIATE',
    lockRowSuffix: '',
    arrayInsert: false,
    placeholder: () => '?',

    async connect(): Promise<SqlSession> {
      const Database = await importBetterSqlite3();
      if (!existsSync(target.file)) {
        throw new WeirError('RUNTIME', `${name}: the database file '${target.file}' does not exist: create it and the table first (the jdbc connector does not create tables, as Flink's does not)`);
      }
      let db: BetterSqlite3.Database;
      try {
        db = new Database(target.file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      } catch (e) {
        throw new WeirError('RUNTIME', `${name}: cannot open the database: ${messageOf(e)}`);
      }
      return new SqliteSession(db, name);
    },

    async tableColumns(session, tableName) {
      const parts = tableNameParts(tableName);
      const [schema, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['main', parts[0]!];
      const rows = await session.query('SELECT name, type FROM pragma_table_info(?, ?)', [table, schema]);
      return rows.length === 0 ? undefined : rows.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    },

    paramWriter: sqliteParam,
    resultReader: sqliteResult,
  };
}

type DatabaseConstructor = typeof BetterSqlite3;

async function importBetterSqlite3(): Promise<DatabaseConstructor> {
  try {
    const mod = await import('better-sqlite3');
    return ((mod as { default?: DatabaseConstructor }).default ?? mod) as DatabaseConstructor;
  } catch (e) {
    throw new WeirError('RUNTIME',
      `connector 'jdbc' needs the optional npm package 'better-sqlite3' for SQLite urls: install it with npm install better-sqlite3@12 (${messageOf(e)})`);
  }
}

const asIs = (v: unknown): unknown => v;

/** better-sqlite3 binds numbers, bigints, strings, buffers and null; everything else is made one of them. */
const sqliteParam = (t: SqlType): ((v: unknown) => unknown) => paramOf(t, { timestamp: formatTimestampSql, boolean: (b) => (b ? 1 : 0) });

/** Integers come as bigints (exact); columns that are not integers take them as numbers or text. */
function sqliteResult(t: SqlType): (v: unknown) => unknown {
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'DECIMAL':
      return asIs;
    case 'BOOLEAN':
      return (v) => (typeof v === 'bigint' || typeof v === 'number' ? (v === 0 || v === 0n ? false : v === 1 || v === 1n ? true : v) : v);
    case 'VARCHAR':
      return (v) => (typeof v === 'bigint' ? v.toString() : v);
    default:
      return (v) => (typeof v === 'bigint' ? Number(v) : v);
  }
}
