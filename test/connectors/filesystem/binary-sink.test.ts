/**
 * The exactly-once manifest protocol with the binary formats: the same commit, skip and clean-up
 * rules as for text part files (sink.test.ts), with `.parquet` / `.arrow` part files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { OutputMode } from '../../../src/connectors/api.js';
import { FilesystemSink, FilesystemSource, listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = { columns: [{ name: 'k', type: T.VARCHAR, nullable: true }, { name: 'n', type: T.BIGINT, nullable: true }] };

describe.each(['parquet', 'arrow'])('filesystem sink, format %s', (format) => {
  async function openSink(dir: string, mode: OutputMode = 'append'): Promise<FilesystemSink> {
    const sink = new FilesystemSink(table(schema, { connector: 'filesystem', path: dir, format }), ctx('/'));
    await sink.open({ schema, mode, keyColumns: [0], queryName: 'q' });
    return sink;
  }
  async function readBack(dir: string): Promise<Record<string, unknown>[]> {
    const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format }), ctx('/'));
    const end = await src.latestOffset(undefined);
    if (end === undefined) return [];
    const r = await src.read(undefined, end);
    expect(r.rejected).toEqual([]);
    return r.batches.flatMap((b) => batchToRows(b));
  }
  const write = (sink: FilesystemSink, batchId: number, rows: Record<string, unknown>[]): Promise<void> =>
    sink.write({ batchId, data: rows.length ? [rowsToBatch(schema, rows)] : [], kinds: undefined });

  it('commits part files with the manifest and writes a batch delivered twice only once', async () => {
    const dir = tempDir();
    await write(await openSink(dir), 3, [{ k: 'a', n: 1 }]);
    const part = `part-00000003-0.${format}`;
    expect(readFileSync(path.join(dir, '_manifest', '00000003'), 'utf8')).toBe(`${part}\n`);
    // the re-run after a crash: a new sink instance, the same batch id with other rows, is skipped
    const again = await openSink(dir);
    await write(again, 3, [{ k: 'z', n: 9 }]);
    await write(again, 4, [{ k: 'b', n: 2n ** 62n }]);
    expect(listCommittedFiles(dir)).toEqual([part, `part-00000004-0.${format}`]);
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 1 }, { k: 'b', n: 2n ** 62n }]);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('deletes the uncommitted part files of a crash when it opens', async () => {
    const dir = tempDir();
    await write(await openSink(dir), 0, [{ k: 'a', n: 1 }]);
    files(dir, { [`part-00000001-0.${format}`]: 'half a file', [`.part-00000001-1.${format}.tmp`]: 'PAR1' });
    // a reader takes only the files manifests list: the leftover (not even a valid file) is not read
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 1 }]);
    await openSink(dir);
    expect(existsSync(path.join(dir, `part-00000001-0.${format}`))).toBe(false);
    expect(existsSync(path.join(dir, `.part-00000001-1.${format}.tmp`))).toBe(false);
    expect(existsSync(path.join(dir, `part-00000000-0.${format}`))).toBe(true);
  });

  it('keeps only the latest result in complete mode', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, 'complete');
    await write(sink, 0, [{ k: 'a', n: 1 }]);
    await write(sink, 1, [{ k: 'a', n: 2 }, { k: 'b', n: null }]);
    expect(readdirSync(dir).sort()).toEqual(['_manifest', `part-00000001-0.${format}`]);
    expect(await readBack(dir)).toEqual([{ k: 'a', n: 2 }, { k: 'b', n: null }]);
  });

  it('writes PARTITIONED BY tables in k=v directories and reads the partition column back from the path', async () => {
    const dir = tempDir();
    const t = table(schema, { connector: 'filesystem', path: dir, format }, ['k']);
    const sink = new FilesystemSink(t, ctx('/'));
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
    await write(sink, 0, [{ k: 'a', n: 1 }, { k: 'b/c', n: 2 }, { k: 'a', n: 3 }]);
    expect(listCommittedFiles(dir)).toEqual([`k=a/part-00000000-0.${format}`, `k=b%2Fc/part-00000000-1.${format}`]);
    // the partition column is in the path only, not inside the files
    const bytes = readFileSync(path.join(dir, `k=a/part-00000000-0.${format}`));
    const columns = format === 'arrow'
      ? arrow.tableFromIPC(bytes).schema.fields.map((f) => f.name)
      : parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).schema.slice(1).map((e) => e.name);
    expect(columns).toEqual(['n']);
    const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format }, ['k']), ctx('/'));
    const r = await src.read(undefined, (await src.latestOffset(undefined))!);
    expect(r.rejected).toEqual([]);
    expect(r.batches.flatMap((b) => batchToRows(b))).toEqual([{ k: 'a', n: 1 }, { k: 'a', n: 3 }, { k: 'b/c', n: 2 }]);
  });
});
