/**
 * The `jdbc` connector's options, named as Flink's JDBC connector names them:
 *
 * | option | meaning |
 * | --- | --- |
 * | `url` | `postgresql://user:password@host:port/db`, `jdbc:postgresql://host:port/db[?user=..&password=..]`, `sqlite:/path/file.db` or `jdbc:sqlite:path/file.db` (relative to the SQL file's directory) |
 * | `table-name` | the table to read or write, `name` or `schema.name` |
 * | `username`, `password` | credentials (override those in the url) |
 * | `sink.buffer-flush.max-rows` | the most rows one INSERT statement carries (also bounded by the database's parameter limit) |
 * | `driver` | accepted for Flink scripts and ignored: the url's scheme picks the client |
 *
 * Everything here is checked when the table is used, before any connection, so a mistake is an
 * OPTION error at the option that holds it.
 */
import * as path from 'node:path';
import { WeirError } from '../../common/errors.js';
import type { ConnectorTable } from '../api.js';

export const JDBC_OPTION_KEYS = ['url', 'table-name', 'username', 'password', 'sink.buffer-flush.max-rows', 'driver'] as const;

export interface PostgresTarget {
  readonly kind: 'postgresql';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

export interface SqliteTarget {
  readonly kind: 'sqlite';
  /** absolute path of the database file */
  readonly file: string;
}

export type JdbcTarget = PostgresTarget | SqliteTarget;

export interface JdbcOptions {
  readonly target: JdbcTarget;
  /** the table name as written (validated: plain or double-quoted identifiers, dot-separated) */
  readonly tableName: string;
  /** `sink.buffer-flush.max-rows`, when given */
  readonly maxRowsPerStatement: number | undefined;
}

/** One part of a table name: a plain identifier or a double-quoted one. */
const NAME_PART = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")`;
const TABLE_NAME = new RegExp(`^${NAME_PART}(?:\\.${NAME_PART})?$`);

export function jdbcOptions(table: ConnectorTable, baseDir: string): JdbcOptions {
  const span = (key: string) => table.optionSpans.get(key) ?? table.optionSpans.get('connector');
  const need = (key: string, example: string): string => {
    const v = table.options.get(key)?.trim();
    if (!v) throw new WeirError('OPTION', `table '${table.name}': connector 'jdbc' needs the option '${key}' (e.g. '${key}' = '${example}')`, span(key));
    return v;
  };
  const url = need('url', 'postgresql://user:password@127.0.0.1:5432/db');
  const tableName = need('table-name', table.name);
  if (!TABLE_NAME.test(tableName)) {
    throw new WeirError('OPTION', `table '${table.name}': 'table-name' = '${tableName}' is not a table name: expected 'name' or 'schema.name' (letters, digits, _; or "double-quoted")`, span('table-name'));
  }
  let target = parseUrl(url, baseDir, () => span('url'), table.name);
  if (target.kind === 'postgresql') {
    const user = table.options.get('username') ?? target.user;
    const password = table.options.get('password') ?? target.password;
    target = { ...target, user, password };
  } else if (table.options.has('username') || table.options.has('password')) {
    const key = table.options.has('username') ? 'username' : 'password';
    throw new WeirError('OPTION', `table '${table.name}': option '${key}' has no meaning for SQLite, which has no users: remove it`, span(key));
  }
  let maxRowsPerStatement: number | undefined;
  const maxRows = table.options.get('sink.buffer-flush.max-rows');
  if (maxRows !== undefined) {
    const n = Number(maxRows.trim());
    if (!/^\d+$/.test(maxRows.trim()) || n < 1) {
      throw new WeirError('OPTION', `table '${table.name}': 'sink.buffer-flush.max-rows' = '${maxRows}' must be a whole number of rows, at least 1`, span('sink.buffer-flush.max-rows'));
    }
    maxRowsPerStatement = n;
  }
  return { target, tableName, maxRowsPerStatement };
}

function parseUrl(url: string, baseDir: string, span: () => ReturnType<ConnectorTable['optionSpans']['get']>, tableName: string): JdbcTarget {
  const bad = (why: string): never => {
    throw new WeirError('OPTION',
      `table '${tableName}': 'url' = '${redact(url)}' ${why}: expected 'postgresql://user:password@host:port/db', 'jdbc:postgresql://host:port/db', 'sqlite:/path/file.db' or 'jdbc:sqlite:/path/file.db'`,
      span());
  };
  const rest = url.startsWith('jdbc:') ? url.slice('jdbc:'.length) : url;
  const scheme = /^([a-z0-9]+):/i.exec(rest)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    let file = rest.slice('sqlite:'.length);
    // sqlite:///abs/file.db and sqlite://rel are written too
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '' || file === ':memory:') return bad('names no database file (an in-memory database would vanish with the connection)');
    return { kind: 'sqlite', file: path.resolve(baseDir, file) };
  }
  if (scheme !== 'postgresql' && scheme !== 'postgres') {
    return bad(scheme === undefined ? 'has no scheme' : `has the scheme '${scheme}', which this connector does not serve (PostgreSQL and SQLite are)`);
  }
  let parsed: URL;
  try {
    parsed = new URL(rest);
  } catch {
    return bad('is not a valid URL');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname) return bad('names no host');
  if (!database) return bad('names no database');
  const port = parsed.port ? Number(parsed.port) : 5432;
  const q = parsed.searchParams;
  return {
    kind: 'postgresql',
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    database,
    user: parsed.username ? decodeURIComponent(parsed.username) : q.get('user') ?? undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : q.get('password') ?? undefined,
  };
}

/** The url without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

/** `postgresql[host:port/db]` or `sqlite[/path/file.db]`: where a table lives, for messages. */
export function describeTarget(t: JdbcTarget): string {
  return t.kind === 'postgresql' ? `postgresql[${t.host}:${t.port}/${t.database}]` : `sqlite[${t.file}]`;
}
