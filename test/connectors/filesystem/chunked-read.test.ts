/**
 * The filesystem source reads json and csv files in chunks of `source.read-chunk-size` bytes: a file
 * many chunks long gives the same rows and rejected records (with file:line) as one read whole, and
 * only the columns the query reads are filled.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { FilesystemSource } from '../../../src/connectors/filesystem/index.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = {
  columns: [{ name: 'id', type: T.BIGINT, nullable: true }, { name: 'name', type: T.VARCHAR, nullable: true }],
};

async function readAll(dir: string, format: string, chunk: string, requiredColumns?: number[]) {
  const c = { ...ctx('/'), ...(requiredColumns ? { requiredColumns } : {}) };
  const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format, 'source.read-chunk-size': chunk }), c);
  const end = await src.latestOffset(undefined);
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
});
