import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind, type OutputMode } from '../../../src/connectors/api.js';
import { FilesystemSink, FilesystemSource, listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = {
  columns: [
    { name: 'k', type: T.VARCHAR, nullable: true },
    { name: 'n', type: T.BIGINT, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10, 0, 5);
const batch = (rows: Record<string, unknown>[]): arrow.RecordBatch => rowsToBatch(schema, rows);

async function openSink(dir: string, mode: OutputMode = 'append', options: Record<string, string> = {}, partitionedBy: string[] = []): Promise<FilesystemSink> {
  const sink = new FilesystemSink(table(schema, { connector: 'filesystem', path: dir, format: 'json', ...options }, partitionedBy), ctx('/'));
  await sink.open({ schema, mode, keyColumns: [0], queryName: 'q' });
  return sink;
}

/** What a reader of the directory sees: the filesystem source over it, all at once. */
async function readBack(dir: string, format = 'json'): Promise<Record<string, unknown>[]> {
  const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format }), ctx('/'));
  const end = await src.latestOffset(undefined);
  if (end === undefined) return [];
  const r = await src.read(undefined, end);
  expect(r.rejected).toEqual([]);
  return r.batches.flatMap((b) => batchToRows(b));
}

describe('filesystem sink', () => {
  it('writes part files named by batch id and commits them with a manifest', async () => {
    const dir = tempDir();
    const sink = await openSink(dir);
    await sink.write({ batchId: 0, data: [batch([{ k: 'a', n: 1, ts: TS }])], kinds: undefined });
    await sink.write({ batchId: 1, data: [batch([{ k: 'b', n: 2, ts: null }]), batch([{ k: 'c', n: 3, ts: TS }])], kinds: undefined });
    await sink.write({ batchId: 2, data: [], kinds: undefined });
    expect(listCommittedFiles(dir)).toEqual(['part-00000000-0.json', 'part-00000001-0.json']);
    expect(readFileSync(path.join(dir, '_manifest', '00000001'), 'utf8')).toBe('part-00000001-0.json\n');
    expect(readFileSync(path.join(dir, '_manifest', '00000002'), 'utf8')).toBe('');
    expect(readFileSync(path.join(dir, 'part-00000000-0.json'), 'utf8')).toBe('{"k":"a","n":1,"ts":"2026-11-23T10:00:05.000Z"}\n');
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 1, ts: TS }, { k: 'b', n: 2, ts: null }, { k: 'c', n: 3, ts: TS }]);
    // no temp files remain
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('writes a batch delivered twice only once', async () => {
    const dir = tempDir();
    const sink = await openSink(dir);
    await sink.write({ batchId: 3, data: [batch([{ k: 'a', n: 1, ts: TS }])], kinds: undefined });
    // the re-run after a crash: a new sink instance, the same batch
    // (different rows here only to show that the committed batch is not rewritten)
    const again = await openSink(dir);
    await again.write({ batchId: 3, data: [batch([{ k: 'z', n: 9, ts: TS }, { k: 'y', n: 8, ts: TS }])], kinds: undefined });
    await again.write({ batchId: 3, data: [batch([{ k: 'z', n: 9, ts: TS }])], kinds: undefined });
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 1, ts: TS }]);
    expect(listCommittedFiles(dir)).toEqual(['part-00000003-0.json']);
  });

  it('deletes the uncommitted leftovers of a crash when it opens, keeping committed files and user files', async () => {
    const dir = tempDir();
    const sink = await openSink(dir);
    await sink.write({ batchId: 0, data: [batch([{ k: 'a', n: 1, ts: TS }])], kinds: undefined });
    // a crash while writing batch 1: part files renamed (or half written), no manifest
    files(dir, {
      'part-00000001-0.json': '{"k":"lost"}\n', '.part-00000001-1.json.tmp': '{"k":', 'x=1/part-00000001-2.json': '{}\n',
      '_manifest/.00000001.tmp': 'part-00000001-0.json\n', 'notes.txt': 'mine',
    });
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 1, ts: TS }]);
    await openSink(dir);
    expect(existsSync(path.join(dir, 'part-00000001-0.json'))).toBe(false);
    expect(existsSync(path.join(dir, '.part-00000001-1.json.tmp'))).toBe(false);
    expect(existsSync(path.join(dir, 'x=1', 'part-00000001-2.json'))).toBe(false);
    expect(existsSync(path.join(dir, '_manifest', '.00000001.tmp'))).toBe(false);
    expect(existsSync(path.join(dir, 'part-00000000-0.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });

  it('keeps only the latest complete result in complete mode', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'complete');
    await sink.write({ batchId: 0, data: [batch([{ k: 'a', n: 1, ts: null }])], kinds: undefined });
    await sink.write({ batchId: 1, data: [batch([{ k: 'a', n: 2, ts: null }, { k: 'b', n: 1, ts: null }])], kinds: undefined });
    expect(readdirSync(path.join(dir, '_manifest'))).toEqual(['00000001']);
    expect(readdirSync(dir).sort()).toEqual(['_manifest', 'part-00000001-0.json']);
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 2, ts: null }, { k: 'b', n: 1, ts: null }]);
    // an empty result empties the directory
    await sink.write({ batchId: 2, data: [], kinds: undefined });
    expect(await readBack(dir)).toEqual([]);
    expect(readdirSync(path.join(dir, '_manifest'))).toEqual(['00000002']);
  });

  it('finishes the clean-up of a crash between the manifest and the deletion of older results', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'complete');
    await sink.write({ batchId: 0, data: [batch([{ k: 'a', n: 1, ts: null }])], kinds: undefined });
    files(dir, { 'part-00000001-0.json': '{"k":"b","n":2}\n', '_manifest/00000001': 'part-00000001-0.json\n' });
    await openSink(dir, 'complete');
    expect(listCommittedFiles(dir)).toEqual(['part-00000001-0.json']);
    expect(existsSync(path.join(dir, 'part-00000000-0.json'))).toBe(false);
  });

  it('writes partitioned tables under k=v directories, which the source reads back', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'append', {}, ['k']);
    await sink.write({
      batchId: 0,
      data: [batch([{ k: 'b', n: 1, ts: null }, { k: 'a/x', n: 2, ts: null }, { k: 'b', n: 3, ts: null }, { k: null, n: 4, ts: null }])],
      kinds: undefined,
    });
    expect(listCommittedFiles(dir)).toEqual([
      'k=b/part-00000000-0.json', 'k=a%2Fx/part-00000000-1.json', 'k=__DEFAULT_PARTITION__/part-00000000-2.json',
    ]);
    // the partition column is in the directory name, not in the file
    expect(readFileSync(path.join(dir, 'k=b', 'part-00000000-0.json'), 'utf8')).toBe('{"n":1,"ts":null}\n{"n":3,"ts":null}\n');
    const back = await readBack(dir);
    expect(back.sort((x, y) => (x['n'] as number) - (y['n'] as number))).toEqual([
      { k: 'b', n: 1, ts: null }, { k: 'a/x', n: 2, ts: null }, { k: 'b', n: 3, ts: null }, { k: null, n: 4, ts: null },
    ]);
  });

  it('writes update-mode changes: UPDATE_BEFORE skipped, DELETE marked with _op', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'update');
    const kinds = new Uint8Array([RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    await sink.write({
      batchId: 0,
      data: [batch([{ k: 'a', n: 1, ts: null }, { k: 'a', n: 1, ts: null }, { k: 'a', n: 2, ts: null }, { k: 'b', n: 5, ts: null }])],
      kinds,
    });
    expect(readFileSync(path.join(dir, 'part-00000000-0.json'), 'utf8')).toBe(
      '{"k":"a","n":1,"ts":null}\n{"k":"a","n":2,"ts":null}\n{"k":"b","n":5,"ts":null,"_op":"delete"}\n',
    );
  });

  it('writes csv part files', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'append', { format: 'csv', 'csv.header': 'true' });
    await sink.write({ batchId: 0, data: [batch([{ k: 'x,y', n: 1, ts: TS }])], kinds: undefined });
    expect(listCommittedFiles(dir)).toEqual(['part-00000000-0.csv']);
    expect(readFileSync(path.join(dir, 'part-00000000-0.csv'), 'utf8')).toBe('k,n,ts\n"x,y",1,2026-11-23 10:00:05.000\n');
    // a batch of several chunks (empty ones among them) is one file, its header once, its rows in order
    await sink.write({ batchId: 1, data: [batch([]), batch([{ k: 'a', n: 2, ts: null }]), batch([]), batch([{ k: 'é', n: 3, ts: TS }, { k: null, n: null, ts: null }])], kinds: undefined });
    expect(listCommittedFiles(dir)).toEqual(['part-00000000-0.csv', 'part-00000001-0.csv']);
    expect(readFileSync(path.join(dir, 'part-00000001-0.csv'), 'utf8')).toBe('k,n,ts\na,2,\né,3,2026-11-23 10:00:05.000\n,,\n');
    // a batch of empty chunks writes no file, only its manifest
    await sink.write({ batchId: 2, data: [batch([]), batch([])], kinds: undefined });
    expect(listCommittedFiles(dir)).toEqual(['part-00000000-0.csv', 'part-00000001-0.csv']);
    expect(readFileSync(path.join(dir, '_manifest', '00000002'), 'utf8')).toBe('');
  });
});
