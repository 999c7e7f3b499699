/**
 * The two databases the jdbc tests run against, behind one small interface: a real PostgreSQL
 * server (test/support/servers/postgres.ts) and a SQLite file. Rows come back with values the
 * tests can compare across both: integers as bigint-or-number, booleans, timestamps as epoch ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { postgresBinary, startPostgres, type PostgresServer } from '../../support/servers/postgres.js';

export type Row = Record<string, unknown>;

export interface TestDb {
  readonly name: 'postgresql' | 'sqlite';
  /** the `url` option for this database */
  readonly url: string;
  /** run DDL/DML written in the SQL both accept */
  exec(sql: string): Promise<void>;
  /** rows of a query, values as returned (PG: text; SQLite: numbers/bigints/text) */
  rows(sql: string): Promise<Row[]>;
  /** the DDL type names for: BIGINT, DECIMAL, TIMESTAMP, DATE, BOOLEAN, DOUBLE, TEXT */
  readonly types: Readonly<Record<'bigint' | 'decimal' | 'timestamp' | 'date' | 'boolean' | 'double' | 'text', string>>;
  /** the server, for stop/start tests (PostgreSQL only) */
  readonly server?: PostgresServer;
  close(): Promise<void>;
}

export const hasPostgres = (): boolean => postgresBinary() !== undefined;

export async function openPostgres(): Promise<TestDb> {
  const server = await startPostgres();
  const pg = (await import('pg')).default;
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: server.database, types: { getTypeParser: () => (s: string) => s } as never });
  client.on('error', () => undefined);
  await client.connect();
  let connected = client;
  const reconnect = async (): Promise<typeof client> => {
    try {
      await connected.query('SELECT 1');
    } catch {
      connected = new pg.Client({ host: server.host, port: server.port, user: server.user, database: server.database, types: { getTypeParser: () => (s: string) => s } as never });
      connected.on('error', () => undefined);
      await connected.connect();
    }
    return connected;
  };
  return {
    name: 'postgresql',
    url: server.url,
    server,
    types: { bigint: 'BIGINT', decimal: 'NUMERIC(20, 4)', timestamp: 'TIMESTAMP(3)', date: 'DATE', boolean: 'BOOLEAN', double: 'DOUBLE PRECISION', text: 'TEXT' },
    async exec(sql) {
      await (await reconnect()).query(sql);
    },
    async rows(sql) {
      return (await (await reconnect()).query(sql)).rows as Row[];
    },
    async close() {
      // the server goes even if the client hangs
      await Promise.race([connected.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await server.stop();
    },
  };
}

export async function openSqlite(): Promise<TestDb> {
  const Database = (await import('better-sqlite3')).default;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-sqlite-'));
  const file = path.join(dir, 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  return {
    name: 'sqlite',
    url: `sqlite:${file}`,
    types: { bigint: 'INTEGER', decimal: 'TEXT', timestamp: 'TEXT', date: 'TEXT', boolean: 'INTEGER', double: 'REAL', text: 'TEXT' },
    async exec(sql) {
      db.exec(sql);
    },
    async rows(sql) {
      return db.prepare(sql).safeIntegers(true).all() as Row[];
    },
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A value from either database as the tests compare it: integers as number (bigint beyond 2^53), text as text. */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const b = BigInt(v);
    return plain(b);
  }
  return v;
}

export function plainRows(rows: readonly Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
}

/** Rows sorted by their JSON text, for order-free comparison. */
export function sorted(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
