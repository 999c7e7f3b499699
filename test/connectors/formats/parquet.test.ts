/**
 * The parquet format against DuckDB: files Weir writes read back in DuckDB with the same values and
 * Parquet types, files DuckDB writes read by a Weir query, unread columns skipped, bad files rejected.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { FilesystemSink, FilesystemSource, listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { Engine } from '../../../src/engine/engine.js';
import { ManualClock } from '../../../src/executor/streaming/clock.js';
import { ctx, removeTempDirs, table, tempDir } from '../filesystem/helpers.js';

afterAll(removeTempDirs);

async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    con.closeSync();
  }
}

const schema: Schema = {
  columns: [
    { name: 'id', type: T.INT, nullable: false },
    { name: 'b', type: T.BIGINT, nullable: true },
    { name: 'd', type: T.decimal(18, 4), nullable: true },
    { name: 'w', type: T.decimal(38, 2), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'day', type: T.DATE, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.INT }, { name: 'y', type: T.VARCHAR }]), nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10, 0, 5, 123);
// API values: a DECIMAL a double would round is given as its exact text; 99999999999999.9999 needs all 18 digits
const rows = [
  { id: 1, b: 2n ** 53n + 1n, d: '99999999999999.9999', w: '-92233720368547758.07', s: 'héllo ✓ 😀 日本', ts: TS, day: 20_000, r: { x: 7, y: 'ü' } },
  { id: 2, b: -(2n ** 63n), d: -0.0001, w: 0.5, s: '', ts: -1, day: -1, r: { x: null, y: null } },
  { id: 3, b: null, d: null, w: null, s: null, ts: null, day: null, r: null },
];

async function writeWithWeir(dir: string): Promise<string> {
  const sink = new FilesystemSink(table(schema, { connector: 'filesystem', path: dir, format: 'parquet' }), ctx('/'));
  await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
  await sink.write({ batchId: 0, data: [rowsToBatch(schema, rows)], kinds: undefined });
  const parts = listCommittedFiles(dir);
  expect(parts).toEqual(['part-00000000-0.parquet']);
  return path.join(dir, parts[0]!);
}

describe('parquet format', () => {
  it('writes files DuckDB reads with the same rows and Parquet types', async () => {
    const file = await writeWithWeir(tempDir());
    const got = await duck(`SELECT id, b, CAST(d AS VARCHAR) AS d, CAST(w AS VARCHAR) AS w, typeof(w) AS tw, s, epoch_ms(ts) AS ts, CAST("day" AS VARCHAR) AS day, r.x AS x, r.y AS y,
      r IS NULL AS rnull, typeof(b) AS tb, typeof(d) AS td, typeof(ts) AS tts, typeof("day") AS tday, typeof(r) AS tr
      FROM read_parquet('${file}') ORDER BY id`);
    const types = { tb: 'BIGINT', td: 'DECIMAL(18,4)', tw: 'DECIMAL(38,2)', tts: 'TIMESTAMP', tday: 'DATE', tr: 'STRUCT(x INTEGER, y VARCHAR)' };
    expect(got).toEqual([
      { id: 1, b: 9007199254740993n, d: '99999999999999.9999', w: '-92233720368547758.07', s: 'héllo ✓ 😀 日本', ts: BigInt(TS), day: '2024-10-04', x: 7, y: 'ü', rnull: false, ...types },
      { id: 2, b: -9223372036854775808n, d: '-0.0001', w: '0.50', s: '', ts: -1n, day: '1969-12-31', x: null, y: null, rnull: false, ...types },
      { id: 3, b: null, d: null, w: null, s: null, ts: null, day: null, x: null, y: null, rnull: true, ...types },
    ]);
  });

  it('reads back what it wrote, exactly', async () => {
    const dir = tempDir();
    await writeWithWeir(dir);
    const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format: 'parquet' }), ctx('/'));
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    expect(r.rejected).toEqual([]);
    expect(r.batches.flatMap((b) => batchToRows(b))).toEqual(rows);
  });

  it('reads a file DuckDB wrote, through a query', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'duck.parquet');
    await duck(`COPY (SELECT * FROM (VALUES
        (1, 9007199254740993::BIGINT, 12.345::DECIMAL(9,3), 123456789012345.678::DECIMAL(18,3), -98765.4321::DECIMAL(38,4), 'ça va ☃', TIMESTAMP '2026-11-23 10:00:05.123456', DATE '2026-02-28', {'x': 5, 'y': 'in'}),
        (2, CAST('-9223372036854775808' AS BIGINT), -0.001::DECIMAL(9,3), NULL, NULL, NULL, NULL, NULL, NULL)
      ) t(id, b, small, big, huge, s, ts, day, r)) TO '${file}' (FORMAT parquet)`);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE src (id INT, b BIGINT, small DECIMAL(9, 3), big DECIMAL(18, 3), huge DECIMAL(38, 2), s STRING, ts TIMESTAMP(3), day DATE, r ROW<x INT, y STRING>)
        WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'parquet');
      CREATE TABLE out (id INT, b BIGINT, small DECIMAL(9, 3), big DECIMAL(18, 3), huge DECIMAL(38, 2), s STRING, ts TIMESTAMP(3), day DATE, r ROW<x INT, y STRING>)
        WITH ('connector' = 'memory');
      INSERT INTO out SELECT * FROM src;`);
    await q!.processAllAvailable();
    const out = engine.output('out').rows();
    await engine.stop();
    expect(out).toHaveLength(2);
    const [a, b] = out as Record<string, unknown>[];
    expect(a).toMatchObject({ id: 1, small: 12.345, huge: -98765.43, s: 'ça va ☃', ts: Date.UTC(2026, 10, 23, 10, 0, 5, 123), r: { x: 5, y: 'in' } });
    // beyond 2^53 the API gives exact values (bigint / DECIMAL text), never a rounded double
    expect(String(a!.b)).toBe('9007199254740993');
    expect(String(a!.big)).toBe('123456789012345.678');
    expect(String(b!.b)).toBe('-9223372036854775808');
    expect(b).toMatchObject({ id: 2, small: -0.001, big: null, huge: null, s: null, ts: null, day: null, r: null });
    expect(a!.day).toBe(Date.UTC(2026, 1, 28) / 86_400_000); // DATE as days since the epoch
  });

  it('is written by a query (INSERT INTO a parquet table) and read by DuckDB', async () => {
    const dir = tempDir();
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE events (name STRING, amount BIGINT) WITH ('connector' = 'memory');
      CREATE TABLE sums (name STRING, total BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'parquet');
      INSERT INTO sums SELECT name, amount * 2 FROM events WHERE amount > 0;`);
    engine.input('events').push([{ name: 'zoë', amount: 2n ** 60n }, { name: 'x', amount: -1 }, { name: 'y', amount: 21 }]);
    await q!.processAllAvailable();
    await engine.stop();
    expect(listCommittedFiles(dir)).toHaveLength(1);
    expect(await duck(`SELECT name, total FROM read_parquet('${dir}/*.parquet') ORDER BY name`)).toEqual([
      { name: 'y', total: 42n }, { name: 'zoë', total: 2n ** 61n },
    ]);
  });

  it('leaves the columns the query does not read unread', async () => {
    const dir = tempDir();
    // 'n' holds text that is no INT: read, every record would be rejected
    await duck(`COPY (SELECT 1 AS k, 'not a number' AS n UNION ALL SELECT 2, 'x') TO '${path.join(dir, 'f.parquet')}' (FORMAT parquet)`);
    const s: Schema = { columns: [{ name: 'k', type: T.INT, nullable: true }, { name: 'n', type: T.INT, nullable: false }] };
    const t = table(s, { connector: 'filesystem', path: dir, format: 'parquet' });
    const pruned = new FilesystemSource(t, { ...ctx('/'), requiredColumns: [0] });
    const r = await pruned.read(undefined, (await pruned.latestOffset(undefined))!);
    expect(r.rejected).toEqual([]);
    expect(r.batches.flatMap((b) => batchToRows(b)).map((row) => row.k)).toEqual([1, 2]);
    const whole = new FilesystemSource(t, ctx('/'));
    const all = await whole.read(undefined, (await whole.latestOffset(undefined))!);
    expect(all.rejected.map((x) => x.origin)).toEqual(['f.parquet#1', 'f.parquet#2']);
    expect(all.rejected[0]!.reason).toMatch(/column 'n': cannot read "not a number" as INT/);
  });

  it('refuses a NULL-typed column when the sink opens, naming it', async () => {
    const s: Schema = { columns: [{ name: 'nothing', type: T.NULL, nullable: true }] };
    const sink = new FilesystemSink(table(s, { connector: 'filesystem', path: tempDir(), format: 'parquet' }), ctx('/'));
    const err = await sink.open({ schema: s, mode: 'append', keyColumns: [], queryName: 'q' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OPTION', message: "format 'parquet' cannot write column 'nothing' of type NULL: Parquet has no such column type; cast it" });
  });

  it('rejects a record whose string is not UTF-8 instead of reading U+FFFD', async () => {
    const dir = tempDir();
    const bytes = parquetWriteBuffer({
      columnData: [{ name: 's', data: [new TextEncoder().encode('fine'), Uint8Array.of(0x66, 0xff, 0x6f)] }],
      schema: [{ name: 'root', num_children: 1 }, { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }],
    });
    writeFileSync(path.join(dir, 'f.parquet'), new Uint8Array(bytes));
    const src = new FilesystemSource(table({ columns: [{ name: 's', type: T.VARCHAR, nullable: true }] }, { connector: 'filesystem', path: dir, format: 'parquet' }), ctx('/'));
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    expect(r.batches.flatMap((b) => batchToRows(b))).toEqual([{ s: 'fine' }]);
    expect(r.rejected).toEqual([{ origin: 'f.parquet#2', reason: 'invalid UTF-8: the record holds bytes that are not UTF-8', raw: '["(not UTF-8)"]' }]);
  });

  it('rejects a file that is not Parquet, and reads the others', async () => {
    const dir = tempDir();
    await duck(`COPY (SELECT 1 AS k) TO '${path.join(dir, 'a.parquet')}' (FORMAT parquet)`);
    writeFileSync(path.join(dir, 'b.parquet'), 'PAR1 this is not parquet');
    const src = new FilesystemSource(table({ columns: [{ name: 'k', type: T.INT, nullable: true }] }, { connector: 'filesystem', path: dir, format: 'parquet' }), ctx('/'));
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    expect(r.batches.flatMap((b) => batchToRows(b))).toEqual([{ k: 1 }]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ origin: 'b.parquet' });
    expect(r.rejected[0]!.reason).toMatch(/^not a readable Parquet file: /);
  });
});
