/**
 * DuckDB as the batch oracle: the same SQL over the same rows as one batch. A test declares a
 * table once (`OracleColumn[]`, in Weir's type names), loads its rows into DuckDB, runs the query
 * there and compares DuckDB's answer with what Weir produced, as multisets of normalised rows.
 *
 * Normalisation makes the two sides comparable without hiding real differences: BIGINT (bigint)
 * becomes a number, timestamps (Date, or the ISO-8601 strings the filesystem sink writes) become epoch
 * milliseconds, and non-integral numbers are rounded to 9 significant digits (Weir holds DECIMAL as
 * doubles, DuckDB as scaled integers; both agree to far more digits than that).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'vitest';

export type Row = Record<string, unknown>;

/** A column as both engines see it; `type` in Weir's spelling (INT, BIGINT, DOUBLE, STRING, BOOLEAN, TIMESTAMP(3), DECIMAL(p,s)). */
export interface OracleColumn {
  readonly name: string;
  readonly type: string;
}

/** Weir's type name → DuckDB's. */
export function duckType(weirType: string): string {
  const t = weirType.trim().toUpperCase();
  if (t === 'STRING' || t.startsWith('VARCHAR')) return 'VARCHAR';
  if (t === 'INT') return 'INTEGER';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return t;
}

/** The column list of a Weir CREATE TABLE for these columns (names in backticks). */
export function weirColumns(columns: readonly OracleColumn[]): string {
  return columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ');
}

function literal(v: unknown, weirType: string): string {
  if (v === null || v === undefined) return 'NULL';
  const t = duckType(weirType);
  if (t === 'TIMESTAMP') return `epoch_ms(${Number(v)}::BIGINT)`;
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number' || typeof v === 'bigint') return `CAST(${String(v)} AS ${t})`;
  throw new Error(`oracle: cannot write ${typeof v} value ${String(v)} as ${weirType}`);
}

export class Oracle {
  private constructor(private readonly instance: DuckDBInstance, private readonly con: DuckDBConnection) {}

  static async create(): Promise<Oracle> {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    // timestamps are UTC instants on both sides
    await con.run("SET TimeZone = 'UTC'");
    return new Oracle(instance, con);
  }

  /** The DuckDB connection, for loaders that append in bulk (bench/nexmark-duckdb.js's loadNexmark). */
  get connection(): DuckDBConnection {
    return this.con;
  }

  /** CREATE TABLE `name` with `columns` and insert `rows` (missing fields are NULL). */
  async createTable(name: string, columns: readonly OracleColumn[], rows: readonly Row[]): Promise<void> {
    const cols = columns.map((c) => `"${c.name}" ${duckType(c.type)}`).join(', ');
    await this.con.run(`CREATE OR REPLACE TABLE "${name}" (${cols})`);
    const values = rows.map((r) => `(${columns.map((c) => literal(r[c.name], c.type)).join(', ')})`);
    for (let i = 0; i < values.length; i += 500) {
      await this.con.run(`INSERT INTO "${name}" VALUES ${values.slice(i, i + 500).join(', ')}`);
    }
  }

  /** Run a query and return its rows, normalised. */
  async query(sql: string): Promise<Row[]> {
    const reader = await this.con.runAndReadAll(sql);
    return normalizeRows(reader.getRowObjectsJS() as Row[]);
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB over `rows` as table `name`, one query, then closed. */
export async function oracleQuery(name: string, columns: readonly OracleColumn[], rows: readonly Row[], sql: string): Promise<Row[]> {
  const o = await Oracle.create();
  try {
    await o.createTable(name, columns, rows);
    return await o.query(sql);
  } finally {
    o.close();
  }
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** One value made comparable (see the header). */
export function normalizeValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return v === 0 ? 0 : v;
    const r = Number(v.toPrecision(9));
    return r === 0 ? 0 : r;
  }
  if (typeof v === 'string' && ISO_TIMESTAMP.test(v)) return Date.parse(v);
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (typeof v === 'object') {
    const out: Row = {};
    for (const [k, x] of Object.entries(v as Row)) out[k] = normalizeValue(x);
    return out;
  }
  return v;
}

export function normalizeRows(rows: readonly Row[]): Row[] {
  return rows.map((r) => normalizeValue(r) as Row);
}

/** Rows in a canonical order (by their JSON, keys sorted), for comparing multisets. */
export function canonical(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));
  return rows.map((r) => [key(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/** `actual` and `expected` hold the same rows, in any order, after normalisation. */
export function expectSameRows(actual: readonly Row[], expected: readonly Row[], message?: string): void {
  const a = canonical(normalizeRows(actual));
  const e = canonical(normalizeRows(expected));
  expect(a.length, `${message ?? 'rows'}: row count`).toBe(e.length);
  expect(a, message).toEqual(e);
}

/** A deterministic pseudo-random generator (mulberry32), so data sets are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
