/**
 * PostgreSQL through node-postgres (`pg`), one connection per session.
 *
 * Values cross as text both ways: every result column is returned as PostgreSQL's text form (no
 * pg type parsers: int8 and numeric would otherwise lose digits or come back as strings anyway, and
 * timestamp would be read in the process's local zone), and parameters are sent as text that
 * PostgreSQL casts to the target column's type. The session's time zone is UTC, so a TIMESTAMP
 * (an instant in UTC in Weir) reads and writes the same wall-clock time in `timestamp` and
 * `timestamptz` columns.
 *
 * A server that is down or goes away fails the call within seconds (connect timeout 5 s, TCP
 * keep-alive, a reset connection fails the query at once) as ConnectorUnavailableError; the
 * session is then broken and its owner opens a new one on its next call.
 */
import type { Client, ClientConfig } from 'pg';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { ConnectorUnavailableError } from '../api.js';
import { formatTimestampIso } from '../formats/convert.js';
import { messageOf, paramOf, type Dialect, type SqlSession } from './dialect.js';
import { describeTarget, type PostgresTarget } from './options.js';

const CONNECT_TIMEOUT_MS = 5_000;
/** a statement that takes longer than this is taken for a hung connection */
const QUERY_TIMEOUT_MS = 120_000;

/** Node socket errors and pg's own messages that mean "the server is not there (now)". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
/** SQLSTATEs of a server shutting down, starting up or refusing connections for now */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_MESSAGES = /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|Query read timeout|not queryable|the database system is (starting up|shutting down)/i;

export function isPostgresUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
  return NETWORK_MESSAGES.test(messageOf(e));
}

const textAsIs = (s: string): string => s;

class PostgresSession implements SqlSession {
  broken = false;

  constructor(private readonly client: Client, private readonly target: string) {
    // an idle connection's failure is reported here; without a listener it would crash the process
    client.on('error', () => {
      this.broken = true;
    });
  }

  async query(sql: string, params?: readonly unknown[]): Promise<unknown[][]> {
    try {
      const r = await this.client.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' });
      return r.rows as unknown[][];
    } catch (e) {
      throw this.translate(e);
    }
  }

  async run(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.query(sql, params);
  }

  private translate(e: unknown): unknown {
    if (!isPostgresUnavailable(e)) return e;
    this.broken = true;
    return new ConnectorUnavailableError(this.target, `${this.target}: ${messageOf(e)}`, { cause: e });
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.client.end().catch(() => undefined);
  }
}

export function postgresDialect(target: PostgresTarget): Dialect {
  const name = describeTarget(target);
  return {
    name: 'postgresql',
    target: name,
    // the wire protocol counts parameters in 16 bits
    maxParameters: 65_535,
    beginSql: 'BEGIN',
    lockRowSuffix: ' FOR UPDATE',
    arrayInsert: true,
    placeholder: (i) => `$${i}`,

    async connect(): Promise<SqlSession> {
      const pg = await importPg();
      const config: ClientConfig = {
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.user,
        password: target.password,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: QUERY_TIMEOUT_MS,
        keepAlive: true,
        application_name: 'weir',
        options: '-c TimeZone=UTC -c DateStyle=ISO',
        types: { getTypeParser: () => textAsIs } as unknown as ClientConfig['types'],
      };
      const client = new pg.Client(config);
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (e) {
        await client.end().catch(() => undefined);
        if (isPostgresUnavailable(e)) throw new ConnectorUnavailableError(name, `${name}: cannot connect: ${messageOf(e)}`, { cause: e });
        throw new WeirError('RUNTIME', `${name}: cannot connect: ${messageOf(e)}`);
      }
      return new PostgresSession(client, name);
    },

    async tableColumns(session, tableName) {
      // to_regclass reads the name as SQL does (unquoted parts fold to lower case) and is NULL for no table
      const found = await session.query('SELECT to_regclass($1) IS NOT NULL', [tableName]);
      if (found[0]?.[0] !== 't') return undefined;
      const rows = await session.query(
        'SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
        [tableName]);
      return rows.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    },

    paramWriter: postgresParam,
    resultReader: postgresResult,
  };
}

async function importPg(): Promise<typeof import('pg')> {
  try {
    const mod = await import('pg');
    return ((mod as unknown as { default?: typeof import('pg') }).default ?? mod) as typeof import('pg');
  } catch (e) {
    throw new WeirError('RUNTIME', `connector 'jdbc' needs the npm package 'pg' for PostgreSQL urls: install it (npm install pg@8): ${messageOf(e)}`);
  }
}

const asIs = (v: unknown): unknown => v;

/** Parameters as text PostgreSQL casts to the column's type (pg sends numbers and bigints as their text). */
const postgresParam = (t: SqlType): ((v: unknown) => unknown) => paramOf(t, { timestamp: formatTimestampIso });

/** Result text as convertValue reads it; only booleans are spelled differently ('t'/'f'). */
function postgresResult(t: SqlType): (v: unknown) => unknown {
  if (t.kind === 'BOOLEAN') return (v) => (v === 't' ? true : v === 'f' ? false : v);
  return asIs;
}
