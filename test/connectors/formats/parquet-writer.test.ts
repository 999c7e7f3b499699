/**
 * Weir's own Parquet writer (parquet-file.ts, parquet-leaf.ts, parquet-snappy.ts) over seeded random
 * batches: what it writes reads back (hyparquet, through the format) to the batch's values; DuckDB
 * reads it to the same rows and the same column statistics as from hyparquet-writer's file of the
 * same batch; DuckDB's filters (which prune on those statistics) find every row. (Its Snappy streams
 * are checked in parquet-snappy.test.ts, by hyparquet's decompressor and Weir's.)
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { encodeParquet, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { parquetColumnData } from '../../../src/connectors/formats/parquet-columns.js';
import { leafPage } from '../../../src/connectors/formats/parquet-leaf.js';
import { lcg, pick } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';

const schema = (nullable: boolean): Schema => ({
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable },
    { name: 't', type: T.TINYINT, nullable },
    { name: 'sm', type: T.SMALLINT, nullable },
    { name: 'i', type: T.INT, nullable },
    { name: 'l', type: T.BIGINT, nullable },
    { name: 'f', type: T.FLOAT, nullable },
    { name: 'd', type: T.DOUBLE, nullable },
    { name: 'iv', type: T.INTERVAL, nullable },
    { name: 'dec', type: T.decimal(18, 3), nullable },
    { name: 's', type: T.VARCHAR, nullable },
    { name: 'ts', type: T.TIMESTAMP, nullable },
    { name: 'day', type: T.DATE, nullable },
  ],
});

function randomRows(r: () => number, n: number, nulls: boolean): Record<string, unknown>[] {
  const strs = ['', 'é日本😀', 'plain', 'ü', 'a'.repeat(40), 'Z', '\u0000x', 'zzz'];
  return Array.from({ length: n }, () => {
    const v = <V,>(xs: readonly V[]): V | null => (nulls && r() < 0.25 ? null : pick(r, xs));
    return {
      b: v([true, false]),
      t: v([0, -128, 127, 5]),
      sm: v([0, -32768, 32767]),
      i: v([0, -1, 2147483647, -2147483648, 42]),
      l: v([0, -5, 2 ** 53 - 1, 9007199254740993n, -9007199254740993n, -9223372036854775808n, 9223372036854775807n, 123456789]),
      f: v([0.1, -0, 1.5, Infinity, NaN, 3.4e38, -7]),
      d: v([0.1, -0, 1e21, -Infinity, NaN, 123.456, 5e-324]),
      iv: v([0, 1000, -1500.5]),
      dec: v(['1.500', '-0.001', '123456789012345.123', '-999999999999999.999', '0']),
      s: v(strs),
      ts: v([0, -1, Date.UTC(2026, 10, 23, 10, 0, 5, 123), 253402300799999, -62135596800000]),
      day: v([0, -1, 20000, -719162, 2932896]),
    };
  });
}

const { con, tmp, duckRows } = parquetDuckDb('parquet-writer');
const asText = (rows: Record<string, unknown>[]): string[] =>
  rows.map((r) => JSON.stringify(r, (_k, x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)));

describe("Weir's Parquet writer", () => {
  const seed = propertySeed();

  it('writes what hyparquet reads back and DuckDB reads as hyparquet-writer\'s file (rows, types, statistics)', async () => {
    for (let run = 0; run < 8; run++) {
      const r = lcg(seed + run);
      const nulls = run % 4 !== 0;
      const s = schema(nulls);
      const full = rowsToBatch(s, randomRows(r, 40 + Math.floor(r() * 200), nulls));
      // a slice starts off a byte boundary of the validity bitmap
      for (const batch of [full, full.slice(3, full.numRows - 5)]) {
        const ops = run % 3 === 1 ? Array.from({ length: batch.numRows }, () => (r() < 0.3 ? 'delete' : '')) : undefined;
        const own = encodeParquet(batch, s, ops);
        const theirs = encodeParquet(batch, s, ops, parquetColumnData, false);
        const msg = `seed ${seed + run}`;
        const back = await parquetFormat.decodeBytes(own, s, 'own.parquet');
        expect(back.rejected, msg).toEqual([]);
        expect(batchToRows(back.batch), msg).toEqual(batchToRows(batch));

        writeFileSync(tmp('own'), own);
        writeFileSync(tmp('theirs'), theirs);
        const select = (f: string): string => `SELECT *, typeof(COLUMNS(*)) FROM read_parquet('${f}')`;
        expect(asText(await duckRows(select(tmp('own')))), msg).toEqual(asText(await duckRows(select(tmp('theirs')))));
        const stats = (f: string): string => `SELECT path_in_schema, stats_null_count, stats_min_value, stats_max_value
          FROM parquet_metadata('${f}') WHERE path_in_schema NOT IN ('f', 'd') ORDER BY column_id, row_group_id`;
        expect(await duckRows(stats(tmp('own'))), msg).toEqual(await duckRows(stats(tmp('theirs'))));
        // every value is found by an equality filter (DuckDB skips row groups on min/max)
        for (const c of ['t', 'sm', 'i', 'l', 'dec', 's', 'ts', 'day', 'f', 'd']) {
          const got = await duckRows(`SELECT count(*) AS n FROM read_parquet('${tmp('own')}') o
            WHERE o."${c}" IN (SELECT "${c}" FROM read_parquet('${tmp('theirs')}')) OR (isnan(try_cast(o."${c}" AS DOUBLE)) AND true)`);
          const want = await duckRows(`SELECT count(*) AS n FROM read_parquet('${tmp('theirs')}') o
            WHERE o."${c}" IN (SELECT "${c}" FROM read_parquet('${tmp('theirs')}')) OR (isnan(try_cast(o."${c}" AS DOUBLE)) AND true)`);
          expect(got, `${msg} column ${c}`).toEqual(want);
        }
      }
    }
  });

  it('bounds floats without NaN and with both zeros inside', async () => {
    const s: Schema = { columns: [{ name: 'd', type: T.DOUBLE, nullable: true }, { name: 'f', type: T.FLOAT, nullable: true }] };
    writeFileSync(tmp('floats'), encodeParquet(rowsToBatch(s, [{ d: NaN, f: 0 }, { d: 0, f: NaN }, { d: -2.5, f: null }, { d: null, f: 3 }]), s));
    const got = await duckRows(`SELECT path_in_schema AS c, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata('${tmp('floats')}') ORDER BY column_id`);
    expect(got).toEqual([{ c: 'd', lo: '-2.5', hi: '0.0', nulls: 1n }, { c: 'f', lo: '-0.0', hi: '3.0', nulls: 1n }]);
    expect(await duckRows(`SELECT count(*) AS n FROM read_parquet('${tmp('floats')}') WHERE d = 0 OR f = 0`)).toEqual([{ n: 2n }]);
  });

  it('writes an empty batch DuckDB and hyparquet read as no rows', async () => {
    const s = schema(true);
    const empty = rowsToBatch(s, []);
    writeFileSync(tmp('empty'), encodeParquet(empty, s));
    expect(await duckRows(`SELECT count(*) AS n, typeof(any_value(s)) AS t FROM read_parquet('${tmp('empty')}')`)).toEqual([{ n: 0n, t: 'VARCHAR' }]);
    const back = await parquetFormat.decodeBytes(encodeParquet(empty, s), s, 'empty.parquet');
    expect(back.batch.numRows).toBe(0);
  });

  it('bounds a string page by unsigned byte order, however deep into a value two of them differ', () => {
    // a common prefix of 0 to 9 bytes, then a few characters of a small alphabet: two values often
    // differ at more than one byte of the same 4-byte word, and above and below 0x80
    const r = lcg(seed);
    const sch: Schema = { columns: [{ name: 's', type: T.VARCHAR, nullable: true }] };
    for (let run = 0; run < 300; run++) {
      const prefix = 'https://w'.slice(0, Math.floor(r() * 10));
      const n = 1 + Math.floor(r() * 12);
      const values = Array.from({ length: n }, () => (r() < 0.1 ? null
        : prefix + Array.from({ length: Math.floor(r() * 7) }, () => pick(r, ['a', 'b', 'z', 'é', '\u0000', '~'])).join('')));
      const batch = rowsToBatch(sch, values.map((s) => ({ s })));
      const page = leafPage(T.VARCHAR, batch.data.children[0]!, n);
      const present = values.filter((v): v is string => v !== null).map((v) => Buffer.from(v, 'utf8')).sort(Buffer.compare);
      const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));
      const msg = `seed ${seed} run ${run}: ${JSON.stringify(values)}`;
      expect(text(page.min), msg).toBe(present.length === 0 ? undefined : present[0]!.toString('utf8'));
      expect(text(page.max), msg).toBe(present.length === 0 ? undefined : present.at(-1)!.toString('utf8'));
    }
  });
});
