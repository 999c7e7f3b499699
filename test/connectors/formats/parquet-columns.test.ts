/**
 * The Parquet sink's column data taken from Arrow's arrays (parquet-columns.ts) gives the very file
 * the value-by-value conversion gave, byte for byte, on random batches (a fresh seed per run,
 * printed; WEIR_SEED replays): NULLs or none (the typed-array path), integers around 2^53 and 2^63,
 * NaN/±Infinity/-0, decimals narrow and wide, ASCII and non-ASCII strings, timestamps, sliced
 * batches, changelog markers. DuckDB reads the file back with the same values.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { encodeParquet, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { parquetColumnData } from '../../../src/connectors/formats/parquet-columns.js';
import { propertySeed } from '../../support/property.js';
import { lcg, pick } from '../../support/lcg.js';

const schema = (nullable: boolean): Schema => ({
  columns: [
    { name: 'i', type: T.INT, nullable },
    { name: 'l', type: T.BIGINT, nullable },
    { name: 'f', type: T.FLOAT, nullable },
    { name: 'd', type: T.DOUBLE, nullable },
    { name: 'iv', type: T.INTERVAL, nullable },
    { name: 'dec', type: T.decimal(12, 3), nullable },
    { name: 'wide', type: T.decimal(30, 2), nullable },
    { name: 's', type: T.VARCHAR, nullable },
    { name: 'ts', type: T.TIMESTAMP, nullable },
    { name: 'sm', type: T.SMALLINT, nullable },
  ],
});

const rng = lcg;

function randomRows(r: () => number, n: number, nulls: boolean, ascii: boolean): Record<string, unknown>[] {
  const strs = ascii ? ['', 'plain', 'a,b', 'say "hi"', 'x'.repeat(50)] : ['', 'é日本😀', 'plain', 'ü'];
  return Array.from({ length: n }, () => {
    const v = <V,>(xs: readonly V[]): V | null => (nulls && r() < 0.2 ? null : pick(r, xs));
    return {
      i: v([0, -1, 2147483647, -2147483648, 42]),
      l: v([0, -5, 2 ** 53 - 1, 9007199254740993n, -9223372036854775808n, 9223372036854775807n, 123456789]),
      f: v([0.1, -0, 1.5, Infinity, NaN, 3.4e38]),
      d: v([0.1, -0, 1e21, -Infinity, NaN, 123.456]),
      iv: v([0, 1000, -1500.5]),
      dec: v(['1.500', '-0.001', '123456789.123', '0']),
      wide: v(['1.50', '-0.01', '1234567890123456789012345678.90']),
      s: v(strs),
      ts: v([0, -1, Date.UTC(2026, 10, 23, 10, 0, 5, 123), 253402300799999]),
      sm: v([0, -32768, 32767]),
    };
  });
}

describe('parquet column data from Arrow arrays', () => {
  const seed = propertySeed();

  it('writes the bytes the value-by-value path wrote', async () => {
    await parquetFormat.load!();
    for (let run = 0; run < 12; run++) {
      const r = rng(seed + run);
      const nulls = run % 3 !== 0;
      const s = schema(nulls);
      const full = rowsToBatch(s, randomRows(r, 50, nulls, run % 2 === 0));
      for (const batch of [full, full.slice(4, 40)]) {
        const ops = run % 4 === 1 ? Array.from({ length: batch.numRows }, () => (r() < 0.3 ? 'delete' : '')) : undefined;
        const fast = encodeParquet(batch, s, ops, parquetColumnData, false);
        const reference = encodeParquet(batch, s, ops, () => undefined, false);
        expect(Buffer.compare(Buffer.from(fast), Buffer.from(reference)), `seed ${seed + run}`).toBe(0);
      }
    }
  });

  it('is read back by DuckDB with the values given', async () => {
    await parquetFormat.load!();
    const s = schema(false);
    const rows = [{ i: 1, l: 9007199254740993n, f: 1.5, d: -0.25, iv: 1000, dec: '1.500', wide: '-0.01', s: 'abc', ts: Date.UTC(2026, 0, 1), sm: -2 }];
    const file = path.join(os.tmpdir(), `weir-parquet-columns-${process.pid}.parquet`);
    writeFileSync(file, encodeParquet(rowsToBatch(s, rows), s));
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const got = (await con.runAndReadAll(`SELECT i, l::VARCHAR AS l, f, d, dec::VARCHAR AS dec, wide::VARCHAR AS wide, s, epoch_ms(ts) AS ts, sm FROM '${file}'`)).getRowObjectsJS();
    con.closeSync();
    expect(got).toEqual([{ i: 1, l: '9007199254740993', f: 1.5, d: -0.25, dec: '1.500', wide: '-0.01', s: 'abc', ts: BigInt(Date.UTC(2026, 0, 1)), sm: -2 }]);
  });
});
