/**
 * The filesystem source reads json and csv files in chunks of `source.read-chunk-size` bytes: a file
 * many chunks long gives the same rows and rejected records (with file:line) as one read whole, and
 * only the columns the query reads are filled.
 */
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { FilesystemSource } from '../../../src/connectors/filesystem/index.js';
import { encodeParquet, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = {
  columns: [{ name: 'id', type: T.BIGINT, nullable: true }, { name: 'name', type: T.VARCHAR, nullable: true }],
};

async function readAll(dir: string, format: string, chunk: string, requiredColumns?: number[], more: Record<string, string> = {}, beforeRead?: () => void) {
  const c = { ...ctx('/'), ...(requiredColumns ? { requiredColumns } : {}) };
  const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format, 'source.read-chunk-size': chunk, ...more }), c);
  const end = await src.latestOffset(undefined);
  beforeRead?.();
  const r = await src.read(undefined, end!);
  return { rows: r.batches.flatMap((b) => batchToRows(b)), rejected: r.rejected, batches: r.batches.length };
}

describe('chunked file reading', () => {
  const n = 3000;
  const jsonLines = Array.from({ length: n }, (_, i) =>
    i % 997 === 5 ? '{"id": "x"}' : `{"id": ${i === 7 ? '9007199254740993' : i}, "name": "név ${i} 日本"}`).join('\n');
  const csvLines = Array.from({ length: n }, (_, i) => (i % 997 === 5 ? 'x,y' : `${i},"n, ${i} é"`)).join('\n') + '\n';

  it('gives the same rows and rejected records with a 50-byte chunk as with one chunk', async () => {
    const dir = tempDir();
    files(dir, { 'a.json': jsonLines });
    const whole = await readAll(dir, 'json', String(1 << 20));
    const small = await readAll(dir, 'json', '50');
    expect(small.batches).toBeGreaterThan(100);
    expect(small.rows).toEqual(whole.rows);
    expect(small.rejected).toEqual(whole.rejected);
    expect(whole.rows).toHaveLength(n - 4);
    expect(whole.rows[6]).toEqual({ id: 9007199254740993n, name: 'név 7 日本' });
    expect(whole.rejected.map((r) => r.origin)).toEqual(['a.json:6', 'a.json:1003', 'a.json:2000', 'a.json:2997']);
  });

  it('reads CSV with quoted fields across chunks', async () => {
    const dir = tempDir();
    files(dir, { 'a.csv': csvLines });
    const whole = await readAll(dir, 'csv', String(1 << 20));
    const small = await readAll(dir, 'csv', '7');
    expect(small.rows).toEqual(whole.rows);
    expect(small.rejected).toEqual(whole.rejected);
    expect(whole.rows[3]).toEqual({ id: 3, name: 'n, 3 é' });
    expect(whole.rejected.map((r) => r.reason)).toEqual(Array(4).fill("column 'id': cannot read \"x\" as BIGINT"));
  });

  it('fills only the columns the query reads', async () => {
    const dir = tempDir();
    files(dir, { 'a.json': jsonLines });
    const r = await readAll(dir, 'json', '4096', [0]);
    expect(r.rows[1]).toEqual({ id: 1, name: null });
  });

  it('refuses a chunk size that is not a positive number of bytes', async () => {
    const dir = tempDir();
    files(dir, { 'a.json': jsonLines });
    await expect(readAll(dir, 'json', '0')).rejects.toThrow(WeirError);
    await expect(readAll(dir, 'json', '1MB')).rejects.toThrow(/source.read-chunk-size/);
  });

  it('reads records longer than the room kept before each chunk (64 KiB), and broken quoting that holds the rest of a file', async () => {
    const dir = tempDir();
    const big = (i: number): string => `${'é'.repeat(20_000)}${i}${'x'.repeat(90_000 + i * 7_000)}`;
    const json = Array.from({ length: 40 }, (_, i) => (i % 9 === 4 ? `{"id": ${i}, "name": "${big(i)}"}` : `{"id": ${i}, "name": "n${i}"}`)).join('\n');
    const csv = Array.from({ length: 40 }, (_, i) => (i % 9 === 4 ? `${i},"${big(i)}\n${big(i + 1)}"` : `${i},n${i}`)).join('\n')
      + '\n41,"open quote\n' + Array.from({ length: 3000 }, (_, i) => `${100 + i},m${i}`).join('\n') + '\n';
    files(dir, { 'a.json': json, 'b.csv': csv });
    for (const [format, file] of [['json', 'a.json'], ['csv', 'b.csv']] as const) {
      const one = tempDir();
      files(one, { [file]: format === 'json' ? json : csv });
      const whole = await readAll(one, format, String(1 << 26));
      for (const chunk of ['1000', '65536', '70000', String(1 << 20)]) {
        const got = await readAll(one, format, chunk);
        expect({ format, chunk, rows: got.rows, rejected: got.rejected }).toEqual({ format, chunk, rows: whole.rows, rejected: whole.rejected });
      }
      expect(whole.rows.filter((r) => String((r as { name: string }).name).length > 100_000)).toHaveLength(format === 'json' ? 4 : 4);
    }
  });

  it('reads many files in name order, each opened while the one before is decoded, and reports one removed meanwhile', async () => {
    const dir = tempDir();
    const contents: Record<string, string> = {};
    for (let f = 0; f < 30; f++) contents[`p${String(f).padStart(2, '0')}.csv`] = Array.from({ length: 50 }, (_, i) => `${f * 1000 + i},f${f}`).join('\n');
    files(dir, contents);
    const got = await readAll(dir, 'csv', '64', undefined, {}, () => rmSync(path.join(dir, 'p13.csv')));
    const want = Array.from({ length: 30 }, (_, f) => f).filter((f) => f !== 13)
      .flatMap((f) => Array.from({ length: 50 }, (_, i) => ({ id: f * 1000 + i, name: `f${f}` })));
    expect(got.rows).toEqual(want);
    expect(got.rejected.map((r) => [r.origin, r.reason])).toEqual([['p13.csv', 'the file was removed before it was read']]);
  });

  it('keeps aside every record of a file whose 300 000 lines are all malformed (no stack overflow)', async () => {
    const dir = tempDir();
    files(dir, { 'all-bad.json': 'x\n'.repeat(300_000), 'good.json': '{"id": 1, "name": "a"}\n' });
    const got = await readAll(dir, 'json', String(1 << 20));
    expect(got.rows).toEqual([{ id: 1, name: 'a' }]);
    expect(got.rejected).toHaveLength(300_000);
    expect(got.rejected[299_999]!.origin).toBe('all-bad.json:300000');
  });

  it('reads many Parquet files in name order, each read while the one before is decoded, and reports one removed meanwhile', async () => {
    await parquetFormat.load!();
    const dir = tempDir();
    for (let f = 0; f < 12; f++) {
      const rows = Array.from({ length: 40 }, (_, i) => ({ id: f * 1000 + i, name: `f${f}` }));
      writeFileSync(path.join(dir, `p${String(f).padStart(2, '0')}.parquet`), encodeParquet(rowsToBatch(schema, rows), schema));
    }
    const got = await readAll(dir, 'parquet', '64', undefined, {}, () => rmSync(path.join(dir, 'p05.parquet')));
    const want = Array.from({ length: 12 }, (_, f) => f).filter((f) => f !== 5)
      .flatMap((f) => Array.from({ length: 40 }, (_, i) => ({ id: f * 1000 + i, name: `f${f}` })));
    expect(got.rows).toEqual(want);
    expect(got.rejected.map((r) => [r.origin, r.reason])).toEqual([['p05.parquet', 'the file was removed before it was read']]);
  });

  it.runIf(existsSync('/proc/self/fd'))('closes every file, the one opened ahead too, when reading one fails', async () => {
    const dir = tempDir();
    files(dir, { 'a.csv': '1,a\n2,b\n', 'b.csv': '3,c\n', 'c.csv': '5,e\n', 'd.csv': '6,f\n' });
    // the descriptors of this process open on the directory's files (other descriptors come and go)
    const open = (): string[] => readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.startsWith(dir) ? [target] : [];
      } catch {
        return []; // closed meanwhile
      }
    });
    // b.csv becomes a directory once listed: opening it works, reading it fails (EISDIR) while c.csv is open
    const failing = readAll(dir, 'csv', '4096', undefined, {}, () => { rmSync(path.join(dir, 'b.csv')); mkdirSync(path.join(dir, 'b.csv')); });
    await expect(failing).rejects.toThrow(/EISDIR/);
    expect(open()).toEqual([]);
  });
});
