/**
 * Parquet files as pyarrow (the most common writer) writes them, under every option that changes
 * how their columns are stored (fixtures/pyarrow/make.py), and as Polars writes them (its own
 * writer, ZSTD by default: fixtures/polars/make.py): the column-by-column read takes each one
 * (but INT96 timestamps, which are read row by row), both reads give the same rows, and the values
 * are DuckDB's reading of the same file (micro- and nanosecond timestamps floored to the millisecond,
 * as Weir holds them; DuckDB's epoch_ms truncates toward zero).
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { matchColumns } from '../../../src/connectors/formats/binary-rows.js';
import { DECOMPRESSORS } from '../../../src/connectors/formats/parquet-codecs.js';
import { readColumnar } from '../../../src/connectors/formats/parquet-columnar.js';
import { columnShapes } from '../../../src/connectors/formats/parquet-nested.js';
import { decodeParquetRowByRow, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';

const FIXTURES = path.join(__dirname, 'fixtures');
/** the files of the table make.py writes (struct.parquet, a ROW, has a test of its own) */
const FILES = ['pyarrow', 'polars'].flatMap((writer) =>
  readdirSync(path.join(FIXTURES, writer)).filter((f) => f.endsWith('.parquet') && f !== 'struct.parquet').sort().map((f) => `${writer}/${f}`));
const duck = parquetDuckDb('writers');

const col = (name: string, type: SqlType): Schema['columns'][number] => ({ name, type, nullable: true });
const schema: Schema = {
  columns: [
    col('i8', T.TINYINT), col('i16', T.SMALLINT), col('i32', T.INT), col('i64', T.BIGINT), col('f32', T.FLOAT), col('f64', T.DOUBLE),
    col('s', T.VARCHAR), col('ls', T.VARCHAR), col('b', T.BOOLEAN), col('d', T.DATE), col('tms', T.TIMESTAMP), col('tus', T.TIMESTAMP),
    col('tns', T.TIMESTAMP), col('dec', T.decimal(10, 2)), col('wide', T.decimal(30, 5)),
  ],
};

/** Whether the column-by-column read takes `bytes` read as `s`. */
function columnar(bytes: Uint8Array, s: Schema): boolean {
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const shapes = columnShapes(meta.schema);
  const top = shapes.map((c) => c.name);
  const match = matchColumns(s, top);
  return readColumnar(bytes, meta, shapes, s, match.map((m) => (m < 0 ? undefined : top[m])), undefined, 0, DECOMPRESSORS) !== undefined;
}

const show = (v: unknown): string => (v === null || v === undefined ? 'NULL' : String(v));

describe('Parquet files pyarrow and Polars write', () => {
  it('are there', () => {
    expect(FILES).toEqual([
      'pyarrow/brotli-lz4.parquet', 'pyarrow/dec-int.parquet', 'pyarrow/default.parquet', 'pyarrow/delta.parquet', 'pyarrow/gzip-bss.parquet',
      'pyarrow/int96.parquet', 'pyarrow/v2-zstd-plain.parquet', 'polars/default.parquet', 'polars/stats-snappy.parquet',
    ]);
  });

  it.each(FILES)('%s: read column by column (INT96 aside), as the row-by-row read and DuckDB read it', async (file) => {
    await parquetFormat.load!();
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, file)));
    const int96 = new Set(file === 'pyarrow/int96.parquet' ? ['tms', 'tus', 'tns'] : []);
    for (const c of schema.columns) expect(columnar(bytes, { columns: [c] }), `${file}: ${c.name}`).toBe(!int96.has(c.name));
    const fast = await parquetFormat.decodeBytes(bytes, schema, file);
    const slow = await decodeParquetRowByRow(bytes, schema, file);
    expect(fast.rejected).toEqual([]);
    expect(slow.rejected).toEqual([]);
    const rows = batchToRows(fast.batch) as Record<string, unknown>[];
    expect(rows).toEqual(batchToRows(slow.batch));
    expect(rows).toHaveLength(300);
    const want = await duck.duckRows(`SELECT i8, i16, i32, i64::VARCHAR AS i64, f32::DOUBLE AS f32, f64, s, ls, b, d::VARCHAR AS d,
      epoch_ms(tms)::VARCHAR AS tms, epoch_us(tus)::VARCHAR AS tus, epoch_ns(tns)::VARCHAR AS tns, dec::VARCHAR AS dec, wide::VARCHAR AS wide
      FROM '${path.join(FIXTURES, file)}'`);
    const floorMs = (v: unknown, per: bigint): string | null => {
      if (v === null) return null;
      const x = BigInt(v as string);
      return String((x - ((x % per) + per) % per) / per);
    };
    const days = (d: string): number => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 86_400_000;
    const got = rows.map((r) => [r.i8, r.i16, r.i32, r.i64, r.f32, r.f64, r.s, r.ls, r.b, r.d, r.tms, r.tus, r.tns, r.dec, r.wide].map(show));
    const expected = want.map((r) => [
      r.i8, r.i16, r.i32, r.i64, r.f32, r.f64, r.s, r.ls, r.b, r.d === null ? null : days(r.d as string),
      r.tms, floorMs(r.tus, 1000n), floorMs(r.tns, 1000000n),
      r.dec === null ? null : Number(r.dec), r.wide,
    ].map(show));
    expect(got).toEqual(expected);
  });

  it('pyarrow/struct.parquet: a ROW (an OPTIONAL group of a REQUIRED and OPTIONAL leaves) read column by column, as DuckDB reads it', async () => {
    await parquetFormat.load!();
    const file = path.join(FIXTURES, 'pyarrow', 'struct.parquet');
    const bytes = new Uint8Array(readFileSync(file));
    const rowType = T.row([{ name: 'a', type: T.BIGINT }, { name: 's', type: T.VARCHAR }, { name: 'f', type: T.DOUBLE }]);
    const s: Schema = { columns: [col('id', T.BIGINT), col('r', rowType)] };
    expect(columnar(bytes, s)).toBe(true);
    const fast = await parquetFormat.decodeBytes(bytes, s, 'struct.parquet');
    const slow = await decodeParquetRowByRow(bytes, s, 'struct.parquet');
    const rows = batchToRows(fast.batch) as { id: unknown; r: { a: unknown; s: unknown; f: unknown } | null }[];
    expect(rows).toEqual(batchToRows(slow.batch));
    expect(fast.rejected).toEqual([]);
    const want = await duck.duckRows(`SELECT id, r IS NULL AS gone, r.a::VARCHAR AS a, r.s AS s, r.f AS f FROM '${file}'`);
    expect(rows.map((x) => [show(x.id), x.r === null, show(x.r?.a), show(x.r?.s), show(x.r?.f)]))
      .toEqual(want.map((w) => [show(w.id), w.gone, w.gone ? 'NULL' : show(w.a), w.gone ? 'NULL' : show(w.s), w.gone ? 'NULL' : show(w.f)]));
    expect(rows.filter((x) => x.r === null).length).toBeGreaterThan(20);
  });
});
