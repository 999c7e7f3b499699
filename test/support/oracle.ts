/**
 * DuckDB as the batch oracle: the same SQL over the same rows as one batch. A test declares a
 * table once (`OracleColumn[]`, in Weir's type names), loads its rows into DuckDB, runs the query
 * there and compares DuckDB's answer with what Weir produced, as multisets of normalised rows.
 *
 * DuckDB's answer is read exactly: BIGINT and HUGEINT as bigint (then canonical: a number when safe),
 * DECIMAL as `OracleDecimal` (unscaled integer and scale). How values are compared, exactly or with
 * a documented tolerance, is in oracle-values.ts.
 */
import { DuckDBInstance, DuckDBTypeId, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBDecimalType, type DuckDBDecimalValue, type DuckDBValueConverter, type JS } from '@duckdb/node-api';
import { normalizeRows, OracleDecimal, type Row } from './oracle-values.js';

export { canonical, expectSameRows, normalizeRows, normalizeValue, OracleDecimal, type Row } from './oracle-values.js';

/** DuckDB's JS conversion, except DECIMAL (which it would turn into a double): exact. */
const exactConverter: DuckDBValueConverter<unknown> = (value, type, converter) => {
  if (value !== null && type.typeId === DuckDBTypeId.DECIMAL) {
    const d = value as DuckDBDecimalValue;
    return new OracleDecimal(d.value, (type as DuckDBDecimalType).scale);
  }
  // nested values (ROW, LIST) come back through `converter`, so a DECIMAL inside stays exact too
  return JSDuckDBValueConverter(value, type, converter as DuckDBValueConverter<JS>);
};

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
  if (typeof v === 'number' && !Number.isFinite(v)) return `CAST('${String(v)}' AS ${t})`; // NaN, Infinity
  if (typeof v === 'number' || typeof v === 'bigint') return `CAST(${String(v)} AS ${t})`;
  if (v instanceof OracleDecimal) return `CAST('${v.toString()}' AS ${t})`;
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
    return normalizeRows(reader.convertRowObjects(exactConverter) as Row[]);
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
