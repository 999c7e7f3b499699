/**
 * The partitioned filesystem sink (Nexmark q10's `PARTITIONED BY (dt, hm)`): Hive-style directories
 * with escaped values, the partition columns only in the path, a manifest per batch listing the part
 * files relative to `path`, idempotent re-runs, and Flink's success-file partition commit driven by
 * the watermark (partition-time) or the clock (process-time).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { OutputMode, SinkBatch } from '../../../src/connectors/api.js';
import { FilesystemSink, FilesystemSource, listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { escapePartitionValue, partitionDirName, partitionValues, readManifest } from '../../../src/connectors/filesystem/layout.js';
import { extractPartitionTime } from '../../../src/connectors/filesystem/partition-commit.js';
import { ctx, files, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const schema: Schema = {
  columns: [
    { name: 'price', type: T.BIGINT, nullable: true },
    { name: 'dt', type: T.VARCHAR, nullable: true },
    { name: 'hm', type: T.VARCHAR, nullable: true },
  ],
};
const batch = (rows: Record<string, unknown>[]): arrow.RecordBatch => rowsToBatch(schema, rows);
const at = (hhmmss: string): number => Date.parse(`2026-11-23T${hhmmss}Z`);
const Q10_COMMIT = {
  'sink.partition-commit.trigger': 'partition-time',
  'sink.partition-commit.delay': '1 min',
  'sink.partition-commit.policy.kind': 'success-file',
  'partition.time-extractor.timestamp-pattern': '$dt $hm:00',
  'sink.rolling-policy.rollover-interval': '1min',
  'sink.rolling-policy.check-interval': '1min',
};

function newSink(dir: string, options: Record<string, string> = {}, format = 'csv', now = () => 0): FilesystemSink {
  return new FilesystemSink(table(schema, { connector: 'filesystem', path: dir, format, ...options }, ['dt', 'hm']), { ...ctx('/'), clock: { now } });
}
async function openSink(dir: string, options: Record<string, string> = {}, mode: OutputMode = 'append', now = () => 0): Promise<FilesystemSink> {
  const sink = newSink(dir, options, 'csv', now);
  await sink.open({ schema, mode, keyColumns: [], queryName: 'q' });
  return sink;
}
const write = (sink: FilesystemSink, batchId: number, rows: Record<string, unknown>[], extra: Partial<SinkBatch> = {}) =>
  sink.write({ batchId, data: rows.length ? [batch(rows)] : [], kinds: undefined, ...extra });

/** What a reader sees: the filesystem source over the directory, partition columns from the path. */
async function readBack(dir: string): Promise<Record<string, unknown>[]> {
  const src = new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format: 'csv' }), ctx('/'));
  const end = await src.latestOffset(undefined);
  if (end === undefined) return [];
  const r = await src.read(undefined, end);
  expect(r.rejected).toEqual([]);
  return r.batches.flatMap((b) => batchToRows(b)).sort((a, b) => (a['price'] as number) - (b['price'] as number));
}
const successFiles = (dir: string): string[] => listCommittedFiles(dir)
  .map((f) => path.dirname(f)).filter((d, i, all) => all.indexOf(d) === i && existsSync(path.join(dir, d, '_SUCCESS'))).sort();

describe('partitioned filesystem sink: layout', () => {
  it('writes dt=…/hm=…/part-<batch>-… files without the partition columns, listed in the manifest', async () => {
    const dir = tempDir();
    const sink = await openSink(dir);
    await write(sink, 0, [
      { price: 1, dt: '2026-11-23', hm: '10:00' }, { price: 2, dt: '2026-11-23', hm: '10:01' }, { price: 3, dt: '2026-11-23', hm: '10:00' },
    ]);
    expect(readManifest(dir, 0)).toEqual(['dt=2026-11-23/hm=10%3A00/part-00000000-0.csv', 'dt=2026-11-23/hm=10%3A01/part-00000000-1.csv']);
    // the partition columns are in the path only, as Flink's filesystem sink writes them
    expect(readFileSync(path.join(dir, 'dt=2026-11-23', 'hm=10%3A00', 'part-00000000-0.csv'), 'utf8')).toBe('1\n3\n');
    await write(sink, 1, [{ price: 4, dt: '2026-11-23', hm: '10:01' }]);
    expect(listCommittedFiles(dir)).toEqual([
      'dt=2026-11-23/hm=10%3A00/part-00000000-0.csv', 'dt=2026-11-23/hm=10%3A01/part-00000000-1.csv',
      'dt=2026-11-23/hm=10%3A01/part-00000001-0.csv',
    ]);
    expect(await readBack(dir)).toEqual([
      { price: 1, dt: '2026-11-23', hm: '10:00' }, { price: 2, dt: '2026-11-23', hm: '10:01' },
      { price: 3, dt: '2026-11-23', hm: '10:00' }, { price: 4, dt: '2026-11-23', hm: '10:01' },
    ]);
  });

  it('puts NULL in __DEFAULT_PARTITION__ and reads it back as NULL', async () => {
    const dir = tempDir();
    const sink = await openSink(dir);
    await write(sink, 0, [{ price: 1, dt: null, hm: '10:00' }, { price: 2, dt: '2026-11-23', hm: null }]);
    expect(readManifest(dir, 0)).toEqual(['dt=__DEFAULT_PARTITION__/hm=10%3A00/part-00000000-0.csv', 'dt=2026-11-23/hm=__DEFAULT_PARTITION__/part-00000000-1.csv']);
    expect(await readBack(dir)).toEqual([{ price: 1, dt: null, hm: '10:00' }, { price: 2, dt: '2026-11-23', hm: null }]);
  });

  it('escapes partition values as Hive and Flink do (plus Windows\' < > |), and reads them back', async () => {
    expect(escapePartitionValue('10:00')).toBe('10%3A00');
    expect(escapePartitionValue('a/b=c%d')).toBe('a%2Fb%3Dc%25d');
    expect(escapePartitionValue(`"#'*?\\{}[]^`)).toBe('%22%23%27%2A%3F%5C%7B%7D%5B%5D%5E');
    expect(escapePartitionValue('x\ny\x7f')).toBe('x%0Ay%7F');
    expect(escapePartitionValue('<a|b>')).toBe('%3Ca%7Cb%3E');
    expect(escapePartitionValue('.hidden')).toBe('%2Ehidden');
    expect(escapePartitionValue('_x')).toBe('%5Fx');
    expect(escapePartitionValue('plain-value 1,2;é')).toBe('plain-value 1,2;é');
    const odd = ['a/b', '10:00', '%41', '.x', "it's", '[1]'];
    for (const v of odd) expect(partitionValues(`${partitionDirName('k', v)}/f`).get('k')).toBe(v);
    const dir = tempDir();
    const sink = await openSink(dir);
    await write(sink, 0, odd.map((v, i) => ({ price: i, dt: v, hm: '00:00' })));
    expect((await readBack(dir)).map((r) => r['dt'])).toEqual(odd);
  });
});

describe('partitioned filesystem sink: exactly once', () => {
  it('does not duplicate a batch delivered again, nor one re-run after a crash before its manifest', async () => {
    const dir = tempDir();
    const rows = [{ price: 1, dt: '2026-11-23', hm: '10:00' }, { price: 2, dt: '2026-11-24', hm: '00:00' }];
    const sink = await openSink(dir);
    await write(sink, 0, rows);
    await write(sink, 0, rows);
    expect(listCommittedFiles(dir)).toHaveLength(2);
    // a crash after batch 1's part files, before its manifest: the restart removes them, the re-run writes once
    files(dir, { 'dt=2026-11-23/hm=10%3A00/part-00000001-0.csv': '9\n', 'dt=2026-11-25/hm=01%3A00/.part-00000001-1.csv.tmp': '9\n' });
    const again = await openSink(dir);
    expect(existsSync(path.join(dir, 'dt=2026-11-23', 'hm=10%3A00', 'part-00000001-0.csv'))).toBe(false);
    expect(existsSync(path.join(dir, 'dt=2026-11-25', 'hm=01%3A00', '.part-00000001-1.csv.tmp'))).toBe(false);
    await write(again, 1, [{ price: 3, dt: '2026-11-23', hm: '10:00' }]);
    await write(again, 1, [{ price: 3, dt: '2026-11-23', hm: '10:00' }]);
    expect((await readBack(dir)).map((r) => r['price'])).toEqual([1, 2, 3]);
    expect(readManifest(dir, 1)).toEqual(['dt=2026-11-23/hm=10%3A00/part-00000001-0.csv']);
  });
});

describe('partition commit: success files', () => {
  const P0 = 'dt=2026-11-23/hm=10%3A00';
  const P1 = 'dt=2026-11-23/hm=10%3A01';

  it('partition-time: _SUCCESS once the watermark passes the partition time ($dt $hm:00) plus the delay', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, Q10_COMMIT);
    await write(sink, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }], { watermark: -Infinity, processingTime: 0 });
    expect(successFiles(dir)).toEqual([]);
    expect(sink.pendingPartitions()).toEqual([P0]);
    await write(sink, 1, [{ price: 2, dt: '2026-11-23', hm: '10:01' }], { watermark: at('10:00:59.999'), processingTime: 0 });
    expect(successFiles(dir)).toEqual([]);
    // watermark = partition time + delay is not past it (Flink: watermark > time + delay)
    await write(sink, 2, [], { watermark: at('10:01:00'), processingTime: 0 });
    expect(successFiles(dir)).toEqual([]);
    await write(sink, 3, [], { watermark: at('10:01:00.001'), processingTime: 0 });
    expect(successFiles(dir)).toEqual([P0]);
    expect(readFileSync(path.join(dir, P0, '_SUCCESS'), 'utf8')).toBe('');
    expect(sink.pendingPartitions()).toEqual([P1]);
    // a late row for a committed partition is still written; its success file stays
    await write(sink, 4, [{ price: 3, dt: '2026-11-23', hm: '10:00' }], { watermark: at('10:01:30'), processingTime: 0 });
    expect(listCommittedFiles(dir)).toContain(`${P0}/part-00000004-0.csv`);
    expect(successFiles(dir)).toEqual([P0]);
    // the success file is not data: the reader skips it
    expect((await readBack(dir)).map((r) => r['price'])).toEqual([1, 2, 3]);
  });

  it('partition-time: at the end of a bounded input (watermark +infinity) every partition, the NULL one too', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, Q10_COMMIT);
    await write(sink, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }, { price: 2, dt: null, hm: '10:01' }], { watermark: at('23:59:00') });
    // 10:00 is long past; the NULL partition has no time, so it waits for the end
    expect(successFiles(dir)).toEqual([P0]);
    await write(sink, 1, [], { watermark: Infinity });
    expect(successFiles(dir)).toEqual([P0, 'dt=__DEFAULT_PARTITION__/hm=10%3A01']);
    expect(sink.pendingPartitions()).toEqual([]);
  });

  it('process-time: _SUCCESS once the batch time passes the partition\'s creation time plus the delay', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, { 'sink.partition-commit.policy.kind': 'success-file', 'sink.partition-commit.delay': '10 s' });
    await write(sink, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }], { watermark: -Infinity, processingTime: 1_000 });
    await write(sink, 1, [{ price: 2, dt: '2026-11-23', hm: '10:01' }], { watermark: -Infinity, processingTime: 8_000 });
    await write(sink, 2, [], { watermark: -Infinity, processingTime: 11_000 });
    expect(successFiles(dir)).toEqual([]);
    await write(sink, 3, [], { watermark: -Infinity, processingTime: 11_001 });
    expect(successFiles(dir)).toEqual([P0]);
    await write(sink, 4, [], { watermark: -Infinity, processingTime: 18_001 });
    expect(successFiles(dir)).toEqual([P0, P1]);
  });

  it('finds pending partitions again after a restart, and writes the success files a crash left out', async () => {
    const dir = tempDir();
    const first = await openSink(dir, Q10_COMMIT);
    await write(first, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }, { price: 2, dt: '2026-11-23', hm: '10:01' }], { watermark: -Infinity });
    // a restart: the pending partitions come from the committed files without a success file
    const second = await openSink(dir, Q10_COMMIT);
    expect(second.pendingPartitions()).toEqual([P0, P1]);
    // batch 1 committed its manifest, then the process died before the success files
    files(dir, { '_manifest/00000001': '' });
    const third = await openSink(dir, Q10_COMMIT);
    await write(third, 1, [], { watermark: at('10:01:30') });
    expect(successFiles(dir)).toEqual([P0]);
    expect(third.pendingPartitions()).toEqual([P1]);
  });

  it('accepts a custom success-file name and comma lists of policies; writes nothing without a policy', async () => {
    const dir = tempDir();
    const sink = await openSink(dir, { ...Q10_COMMIT, 'sink.partition-commit.policy.kind': 'success-file', 'sink.partition-commit.success-file.name': '_DONE' });
    await write(sink, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }], { watermark: Infinity });
    expect(readdirSync(path.join(dir, P0)).sort()).toEqual(['_DONE', 'part-00000000-0.csv']);
    const plain = tempDir();
    const none = await openSink(plain, { 'sink.partition-commit.trigger': 'partition-time' });
    await write(none, 0, [{ price: 1, dt: '2026-11-23', hm: '10:00' }], { watermark: Infinity });
    expect(readdirSync(path.join(plain, P0))).toEqual(['part-00000000-0.csv']);
  });
});

describe('partition commit: options', () => {
  const optionError = (options: Record<string, string>, partitioned = true): WeirError => {
    try {
      new FilesystemSink(table(schema, { connector: 'filesystem', path: tempDir(), format: 'csv', ...options }, partitioned ? ['dt', 'hm'] : []), ctx('/'));
    } catch (e) {
      if (e instanceof WeirError) return e;
      throw e;
    }
    throw new Error('expected an option error');
  };

  it('refuses what it cannot do, with the reason, at the option', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'sink.partition-commit.policy.kind': 'metastore,success-file' },
        "table 't': option 'sink.partition-commit.policy.kind' 'metastore' is not supported: Weir has no Hive metastore to add partitions to; use 'success-file'"],
      [{ 'sink.partition-commit.policy.kind': 'custom' },
        "table 't': option 'sink.partition-commit.policy.kind' 'custom' is not supported: it names a Java class, which Weir cannot load; use 'success-file'"],
      [{ 'sink.partition-commit.policy.kind': 'success' },
        "table 't': option 'sink.partition-commit.policy.kind' must be 'success-file' (or a comma list of policies), got 'success'"],
      [{ 'sink.partition-commit.trigger': 'event-time' },
        "table 't': option 'sink.partition-commit.trigger' must be 'process-time' or 'partition-time', got 'event-time'"],
      [{ 'sink.partition-commit.delay': 'soon' },
        "table 't': option 'sink.partition-commit.delay' must be a duration such as '1 min', '30 s' or '500 ms', got 'soon'"],
      [{ 'sink.rolling-policy.rollover-interval': '0 s' },
        "table 't': option 'sink.rolling-policy.rollover-interval' must be a positive duration such as '1 min', '30 s' or '500 ms', got '0 s'"],
      [{ 'sink.partition-commit.policy.kind': 'success-file', 'sink.partition-commit.success-file.name': 'a/b' },
        "table 't': option 'sink.partition-commit.success-file.name' must be a plain file name, got 'a/b'"],
    ];
    for (const [options, message] of cases) {
      const err = optionError(options);
      expect(err.code).toBe('OPTION');
      expect(err.message).toBe(message);
      // the error points at the option that is wrong (the helper gives each option its own line)
      const key = Object.keys(options).find((k) => message.includes(`option '${k}'`))!;
      expect(err.span?.line).toBe(Object.keys({ connector: 1, path: 1, format: 1, ...options }).indexOf(key) + 2);
    }
    expect(optionError({ 'sink.partition-commit.policy.kind': 'success-file' }, false).message)
      .toBe("table 't': option 'sink.partition-commit.policy.kind' commits partitions, but the table has no PARTITIONED BY");
  });

  it('refuses partition commit outside append mode', async () => {
    const sink = newSink(tempDir(), Q10_COMMIT);
    await expect(sink.open({ schema, mode: 'update', keyColumns: [0], queryName: 'q' })).rejects.toThrow(/needs append mode/);
  });

  it('extracts the partition time with the timestamp pattern, in UTC', () => {
    const v = (o: Record<string, string | null>) => new Map(Object.entries(o));
    expect(extractPartitionTime('$dt $hm:00', ['dt', 'hm'], v({ dt: '2026-11-23', hm: '10:05' }))).toBe(at('10:05:00'));
    expect(extractPartitionTime(undefined, ['dt', 'hm'], v({ dt: '2026-11-23', hm: '10:05' }))).toBe(at('00:00:00'));
    expect(extractPartitionTime('$d $dt', ['d', 'dt'], v({ d: '2026-11-23', dt: '01:02:03' }))).toBe(at('01:02:03'));
    expect(extractPartitionTime('$dt $hm:00', ['dt', 'hm'], v({ dt: null, hm: '10:05' }))).toBeUndefined();
    expect(extractPartitionTime('$dt $hm:00', ['dt', 'hm'], v({ dt: 'today', hm: '10:05' }))).toBeUndefined();
  });
});
