import { afterAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { batchToRows } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { Json } from '../../../src/connectors/api.js';
import { FilesystemSource, parseDuration } from '../../../src/connectors/filesystem/index.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = { columns: [{ name: 'id', type: T.INT, nullable: true }, { name: 'name', type: T.VARCHAR, nullable: true }] };
const rowsOf = (batches: readonly arrow.RecordBatch[]): Record<string, unknown>[] => batches.flatMap((b) => batchToRows(b));
const line = (id: number): string => `{"id": ${id}, "name": "n${id}"}\n`;

function source(dir: string, options: Record<string, string> = {}, s: Schema = schema): FilesystemSource {
  return new FilesystemSource(table(s, { connector: 'filesystem', path: dir, format: 'json', ...options }), ctx('/'));
}

describe('filesystem source', () => {
  it('reads every visible file in name order, depth first, skipping _ and . names', async () => {
    const dir = tempDir();
    files(dir, {
      'b.json': line(3), 'a.json': line(1) + line(2), 'sub/c.json': line(5), 'sub/a.json': line(4),
      '_SUCCESS': line(99), '.hidden.json': line(98), '_tmp/x.json': line(97), 'z.json': line(6),
    });
    const src = source(dir);
    expect(src.bounded).toBe(true);
    const end = await src.latestOffset(undefined);
    expect(end).toEqual({ files: ['a.json', 'b.json', 'sub/a.json', 'sub/c.json', 'z.json'] });
    const r = await src.read(undefined, end!);
    expect(rowsOf(r.batches).map((x) => x['id'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(src.isExhausted(end)).toBe(true);
    // deterministic: the same offsets give the same rows
    expect(rowsOf((await src.read(undefined, end!)).batches)).toEqual(rowsOf(r.batches));
    expect(await src.latestOffset(end)).toBe(end);
  });

  it('caps each batch at source.max-files-per-trigger and reads exactly the new files', async () => {
    const dir = tempDir();
    files(dir, { '1.json': line(1), '2.json': line(2), '3.json': line(3), '4.json': line(4), '5.json': line(5) });
    const src = source(dir, { 'source.max-files-per-trigger': '2' });
    const o1 = await src.latestOffset(undefined);
    expect(o1).toEqual({ files: ['1.json', '2.json'] });
    expect(src.isExhausted(o1)).toBe(false);
    const o2 = await src.latestOffset(o1);
    expect(o2).toEqual({ files: ['1.json', '2.json', '3.json', '4.json'] });
    expect(rowsOf((await src.read(o1, o2!)).batches).map((x) => x['id'])).toEqual([3, 4]);
    const o3 = await src.latestOffset(o2);
    expect(rowsOf((await src.read(o2, o3!)).batches).map((x) => x['id'])).toEqual([5]);
    expect(src.isExhausted(o3)).toBe(true);
  });

  it('caps each batch at source.max-bytes-per-trigger: files while their bytes are below it, a larger file a part a batch', async () => {
    const dir = tempDir();
    // files of 24, 48, 260, 24 and 24 bytes
    files(dir, { '1.json': line(1), '2.json': line(2) + line(3), '3.json': Array.from({ length: 10 }, (_, i) => line(10 + i)).join(''), '4.json': line(4), '5.json': line(5) });
    expect([line(1).length, line(10).length]).toEqual([24, 26]);
    const src = source(dir, { 'source.max-bytes-per-trigger': '60' });
    const o1 = await src.latestOffset(undefined);
    // 24 is below 60, 24 + 48 is not: the batch stops there
    expect(o1).toEqual({ files: ['1.json', '2.json'] });
    // a file larger than the cap is read a part a batch, each part its whole lines within 60 bytes
    let o = o1;
    const parts: unknown[][] = [];
    for (let k = 1; k <= 4; k++) {
      const next = await src.latestOffset(o);
      expect(next).toEqual({ files: ['1.json', '2.json'], partial: { file: '3.json', bytes: 52 * k, line: 1 + 2 * k } });
      expect(src.isExhausted(next)).toBe(false);
      parts.push(rowsOf((await src.read(o, next!)).batches).map((x) => x['id']));
      o = next!;
    }
    // the last part (52 bytes, within the cap) completes the file, and the next file fits beside it
    const o2 = await src.latestOffset(o);
    expect(o2).toEqual({ files: ['1.json', '2.json', '3.json', '4.json'] });
    parts.push(rowsOf((await src.read(o, o2!)).batches).map((x) => x['id']));
    expect(parts).toEqual([[10, 11], [12, 13], [14, 15], [16, 17], [18, 19, 4]]);
    // from an offset before any part, the same batch reads the whole file
    expect(rowsOf((await src.read(o1, o2!)).batches)).toHaveLength(11);
    const o3 = await src.latestOffset(o2);
    expect(o3).toEqual({ files: ['1.json', '2.json', '3.json', '4.json', '5.json'] });
    expect(src.isExhausted(o3)).toBe(true);
    // the file cap still applies, and the units Flink writes sizes in are read
    expect(await source(dir, { 'source.max-bytes-per-trigger': '1 kb', 'source.max-files-per-trigger': '2' }).latestOffset(undefined)).toEqual({ files: ['1.json', '2.json'] });
    expect(await source(dir, { 'source.max-bytes-per-trigger': '1kb' }).latestOffset(undefined)).toEqual({ files: ['1.json', '2.json', '3.json', '4.json', '5.json'] });
    // the default (32 MiB) takes every one of these small files in one batch
    expect(await source(dir).latestOffset(undefined)).toEqual({ files: ['1.json', '2.json', '3.json', '4.json', '5.json'] });
    for (const bad of ['0', '-1', '1.5 mb', '10 tb', 'lots']) {
      expect(() => source(dir, { 'source.max-bytes-per-trigger': bad }))
        .toThrow(`option 'source.max-bytes-per-trigger' must be a positive size in bytes, such as '67108864', '64 mb' or '1 gb', got '${bad}'`);
    }
  });

  it('takes, when bounded, only the files present at the first listing', async () => {
    const dir = tempDir();
    files(dir, { 'a.json': line(1) });
    const src = source(dir);
    const o1 = await src.latestOffset(undefined);
    files(dir, { 'b.json': line(2) });
    expect(await src.latestOffset(o1)).toBe(o1);
    expect(src.isExhausted(o1)).toBe(true);
  });

  it('polls a monitored directory, picking up new files and never ending', async () => {
    const dir = tempDir();
    files(dir, { 'b.json': line(2) });
    const src = source(dir, { 'source.monitor-interval': '500ms' });
    expect(src.bounded).toBe(false);
    expect(src.pollIntervalMs).toBe(500);
    const o1 = await src.latestOffset(undefined);
    expect(src.isExhausted(o1)).toBe(false);
    expect(await src.latestOffset(o1)).toBe(o1);
    files(dir, { 'a.json': line(1), 'c.json': line(3), '.c.json.tmp': line(9) });
    const o2 = await src.latestOffset(o1);
    // new files in name order after the ones taken, even one sorting before them
    expect(o2).toEqual({ files: ['b.json', 'a.json', 'c.json'] });
    expect(rowsOf((await src.read(o1, o2!)).batches).map((x) => x['id'])).toEqual([1, 3]);
    expect(src.isExhausted(o2)).toBe(false);
  });

  it('reports malformed lines as rejected records with name:line and keeps the rest', async () => {
    const dir = tempDir();
    files(dir, { 'sub/in.json': `${line(1)}{"id": "x"}\nnot json\n${line(2)}` });
    const src = source(dir);
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    expect(rowsOf(r.batches).map((x) => x['id'])).toEqual([1, 2]);
    expect(r.rejected.map((x) => x.origin)).toEqual(['sub/in.json:2', 'sub/in.json:3']);
    expect(r.rejected[0]!.reason).toBe(`column 'id': cannot read "x" as INT`);
  });

  it("fails the read when '<format>.ignore-parse-errors' is explicitly false", async () => {
    const dir = tempDir();
    files(dir, { 'in.json': `${line(1)}{"id": "x"}\n` });
    const src = source(dir, { 'json.ignore-parse-errors': 'false' });
    await expect(src.read(undefined, (await src.latestOffset(undefined))!)).rejects.toThrow(/in.json:2: column 'id'/);
  });

  it('fills partition columns from k=v directory names', async () => {
    const dir = tempDir();
    files(dir, {
      'dt=2026-11-23/part-0.csv': '1,a\n', 'dt=2026-11-24/part-0.csv': '2,b\n3,c\n',
      'dt=__DEFAULT_PARTITION__/p.csv': '4,d\n',
    });
    const s: Schema = { columns: [...schema.columns, { name: 'dt', type: T.DATE, nullable: true }] };
    const src = source(dir, { format: 'csv' }, s);
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    const day = Date.UTC(2026, 10, 23) / 86_400_000;
    expect(rowsOf(r.batches)).toEqual([
      { id: 1, name: 'a', dt: day }, { id: 2, name: 'b', dt: day + 1 }, { id: 3, name: 'c', dt: day + 1 }, { id: 4, name: 'd', dt: null },
    ]);
  });

  it('reads a single file, resolving a relative path against the base directory', async () => {
    const dir = tempDir();
    files(dir, { 'one.json': line(7), 'other.json': line(8) });
    const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: 'one.json', format: 'json' }), ctx(dir));
    const end = await src.latestOffset(undefined);
    expect(end).toEqual({ files: ['one.json'] });
    expect(rowsOf((await src.read(undefined, end!)).batches)).toEqual([{ id: 7, name: 'n7' }]);
  });

  it('takes only the files the manifests list in a directory written by the filesystem sink', async () => {
    const dir = tempDir();
    files(dir, { '_manifest/00000000': 'part-00000000-0.json\n', 'part-00000000-0.json': line(1), 'part-00000001-0.json': line(2) });
    const src = source(dir);
    expect(await src.latestOffset(undefined)).toEqual({ files: ['part-00000000-0.json'] });
  });

  it('refuses bad options with WeirError(OPTION) at the option', () => {
    const dir = tempDir();
    const err = (options: Record<string, string>): WeirError => {
      try {
        source(dir, options);
      } catch (e) {
        return e as WeirError;
      }
      throw new Error('no error');
    };
    const missing = err({ path: '/does/not/exist/anywhere' });
    expect([missing.code, missing.message, missing.span?.line]).toEqual(['OPTION', "table 't': path '/does/not/exist/anywhere' does not exist", 3]);
    expect(err({ format: 'avro' }).message).toBe("unknown format 'avro': expected one of 'json', 'csv', 'parquet', 'arrow'");
    expect(err({ 'source.monitor-interval': 'soon' }).message).toMatch(/'source.monitor-interval' must be a positive duration/);
    expect(err({ 'source.max-files-per-trigger': '0' }).span?.line).toBe(5);
    const noFormat = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format: 'json' }), ctx('/'));
    expect(noFormat.description).toBe(`filesystem[${dir}]`);
  });

  it('reads an offset back only in its own shape', async () => {
    const src = source(tempDir());
    await expect(src.read(undefined, 3 as Json)).rejects.toThrow(/not a filesystem source offset/);
  });
});

describe('durations', () => {
  it('parses the forms Flink accepts', () => {
    expect(['1 s', '500ms', '2 min', '1.5s', '250', '1h', '3 seconds'].map(parseDuration)).toEqual([1000, 500, 120_000, 1500, 250, 3_600_000, 3000]);
    expect(['', 'soon', '5 parsecs', '-1s'].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
