/**
 * A binary file larger than `source.max-bytes-per-trigger`, read whole parts a batch
 * (BinaryFormat.partsOf, file-parts.ts): a Parquet file row groups a batch, an Arrow IPC file record
 * batches a batch. The batches give the rows and rejected records (reasons, `file#row` origins
 * numbered in the whole file) the file gives read whole, whatever the cap, on both reads of each
 * format (Parquet column by column, and row by row for a DECIMAL column; Arrow buffers as they are,
 * and value by value); each batch is read by a fresh source from its two offsets, as a restarted
 * query re-runs it. A Parquet part reads only its row groups' chunks of the columns the query reads,
 * and a copy of such a file across a restart equals DuckDB's reading of it.
 *
 * Parquet files from DuckDB, Arrow files from apache-arrow, with random part sizes; a fresh seed per
 * run, printed; WEIR_SEED replays.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { parquetMetadata } from 'hyparquet';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { Json } from '../../../src/connectors/api.js';
import { FilesystemSource, parseOffset } from '../../../src/connectors/filesystem/index.js';
import { FileAtRanges } from '../../../src/connectors/filesystem/file-at-ranges.js';
import type { RandomAccessFile } from '../../../src/connectors/formats/decoded.js';
import { parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { Engine } from '../../../src/engine/engine.js';
import { ManualClock } from '../../../src/executor/streaming/clock.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';
import { lcg, pick } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';
import { ctx, readEveryBatch, removeTempDirs, table, tempDir, type EveryBatch } from './helpers.js';

afterAll(removeTempDirs);
const seed = propertySeed();
const duck = parquetDuckDb('parts');

const col = (name: string, type: Schema['columns'][number]['type'], nullable = true): Schema['columns'][number] => ({ name, type, nullable });
/** read column by column */
const plain: Schema = { columns: [col('id', T.BIGINT), col('s', T.VARCHAR), col('x', T.DOUBLE)] };
/** a DECIMAL column sends each part to the row-by-row read; `id` NOT NULL rejects its NULL rows */
const rowByRow: Schema = { columns: [col('id', T.BIGINT, false), col('s', T.VARCHAR), col('dec', T.decimal(10, 2))] };

function source(file: string, schema: Schema, options: Record<string, string>, required?: number[]): FilesystemSource {
  const format = file.endsWith('.arrow') ? 'arrow' : 'parquet';
  return new FilesystemSource(table(schema, { connector: 'filesystem', path: file, format, ...options }),
    { ...ctx('/'), ...(required ? { requiredColumns: required } : {}) });
}

type Read = EveryBatch;

/** Every batch the source plans, each read by a fresh source from its offsets (as after a restart). */
const readAll = (file: string, schema: Schema, options: Record<string, string>, required?: number[]): Promise<Read> =>
  readEveryBatch(() => source(file, schema, options, required));

/** A DuckDB Parquet file of `n` rows in row groups of `groupRows`: NULLs, long strings, a DECIMAL. */
async function writeFile(file: string, n: number, groupRows: number, r: () => number): Promise<void> {
  const con = duck.con();
  await con.run('SET threads = 1');
  await con.run(`SELECT setseed(${r().toFixed(6)})`);
  await con.run(`COPY (SELECT
      CASE WHEN random() < 0.03 THEN NULL ELSE i * 7 - 9007199254740000 END AS id,
      CASE WHEN random() < 0.1 THEN NULL ELSE repeat(md5(i::VARCHAR), 1 + (i % 4)) || 'é日本' END AS s,
      CASE WHEN random() < 0.1 THEN NULL ELSE random() * 1e6 END AS x,
      (random() * 1000)::DECIMAL(10, 2) AS dec
    FROM range(${n}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${groupRows})`);
}

/**
 * `file` (its parts of `partBytes` bytes each) read at caps of one byte (a part a batch), two and a
 * half parts, a random one and one under the file's size: every cap gives the whole file's rows and
 * rejected records, and each batch takes whole parts while they fit the cap (at least one), no more.
 */
async function expectPartsLikeWhole(file: string, schema: Schema, partBytes: readonly number[], r: () => number, why: string): Promise<Read> {
  const size = statSync(file).size;
  const parts = partBytes.length;
  const whole = await readAll(file, schema, {});
  expect(whole.offsets, why).toHaveLength(1);
  for (const cap of [1, Math.floor(2.5 * size / parts), 1 + Math.floor(r() * size / 3), size - 1]) {
    const read = await readAll(file, schema, { 'source.max-bytes-per-trigger': String(cap) });
    const capWhy = `${why}, cap ${cap} of ${size} bytes`;
    expect(read.rows, capWhy).toEqual(whole.rows);
    expect(read.rejected, capWhy).toEqual(whole.rejected);
    // every offset but the last names the part the next batch starts at, in order
    const next = read.offsets.slice(0, -1).map((o) => parseOffset(o).partial);
    for (const p of next) expect(p && 'part' in p ? p.part : undefined, capWhy).toBeGreaterThan(0);
    const at = next.map((p) => (p && 'part' in p ? p.part : -1));
    expect(at, capWhy).toEqual([...at].sort((a, b) => a - b));
    expect(parseOffset(read.offsets.at(-1)!).partial, capWhy).toBeUndefined();
    const cuts = [0, ...at, parts];
    for (let k = 1; k < cuts.length; k++) {
      const taken = partBytes.slice(cuts[k - 1], cuts[k]).reduce((a, b) => a + b, 0);
      if (cuts[k]! - cuts[k - 1]! > 1) expect(taken, capWhy).toBeLessThanOrEqual(cap);
      if (k < cuts.length - 1) expect(taken + partBytes[cuts[k]!]!, capWhy).toBeGreaterThan(cap);
    }
    if (cap === 1) expect(read.offsets, capWhy).toHaveLength(parts);
    if (parts > 1 && cap <= size / 3) expect(read.offsets.length, capWhy).toBeGreaterThan(1);
  }
  return whole;
}

describe('a Parquet file read row groups a batch', () => {
  it('gives the rows and rejected records of the whole file, whatever the cap (seeded)', async () => {
    for (let run = 0; run < 4; run++) {
      const r = lcg(seed + run);
      const file = duck.tmp(`file-${run}`);
      const n = 3000 + Math.floor(r() * 12000);
      // (DuckDB's row groups hold a multiple of 2048 rows)
      const groupRows = pick(r, [2048, 4096, 100000]);
      await writeFile(file, n, groupRows, r);
      const footer = parquetMetadata(readFileSync(file).buffer as ArrayBuffer);
      const groups = footer.row_groups.length;
      expect(groups).toBe(Math.ceil(n / groupRows));
      const groupBytes = footer.row_groups.map((g) => g.columns.reduce((sum, c) => sum + Number(c.meta_data!.total_compressed_size), 0));
      for (const schema of [plain, rowByRow]) {
        const why = `seed ${seed + run}, ${n} rows in groups of ${groupRows}, ${schema === plain ? 'columnar' : 'row by row'}`;
        const whole = await expectPartsLikeWhole(file, schema, groupBytes, r, why);
        expect(whole.rows.length + whole.rejected.length, why).toBe(n);
        if (schema === rowByRow) expect(whole.rejected.length, why).toBeGreaterThan(0);
      }
    }
  });

  it('refuses an offset written for the other kind of format (the table changed its format)', async () => {
    const file = duck.tmp('kinds');
    await writeFile(file, 3000, 2048, lcg(seed));
    const text = { files: [], partial: { file: path.basename(file), bytes: 10, line: 2 } } as unknown as Json;
    await expect(source(file, plain, {}).read(undefined, text)).rejects.toThrow(
      `the offset names byte 10 of '${path.basename(file)}', a position in a text file, but the table's format is binary`);
    const binary = { files: [], partial: { file: 'a.csv', part: 1 } } as unknown as Json;
    const csv = new FilesystemSource(table(plain, { connector: 'filesystem', path: tempDir(), format: 'csv' }), ctx('/'));
    await expect(csv.read(undefined, binary)).rejects.toThrow(
      "the offset names part 1 of 'a.csv', a position in a binary file, but the table's format is text");
  });

  it('reads only the chunks of its row groups and of the columns read', async () => {
    const file = duck.tmp('bytes');
    await writeFile(file, 5 * 2048, 2048, lcg(seed));
    const size = statSync(file).size;
    let bytesRead = 0;
    const counted: RandomAccessFile = {
      size,
      read: (s, e) => { bytesRead += e - s; return new FileAtRanges(file, size).read(s, e); },
      readRanges: (ranges) => { for (const [s, e] of ranges) bytesRead += e - s; return new FileAtRanges(file, size).readRanges(ranges); },
    };
    await parquetFormat.load!();
    const parts = (await parquetFormat.partsOf!(counted, 'bytes.parquet'))!;
    expect(parts.bytes).toHaveLength(5);
    const footer = bytesRead;
    expect(footer).toBeLessThan(size / 5);
    const onlyId = new Set(['id']);
    const got = await parts.decode(2, 3, plain, onlyId);
    expect(got.batch.numRows + got.rejected.length).toBe(2048);
    // rows 4096 to 6143: ids i * 7 - 9007199254740000 (or NULL), the strings not read
    const rows = batchToRows(got.batch);
    const ids = rows.map((row) => row.id).filter((v) => v !== null).map(Number);
    expect(ids.length).toBeGreaterThan(1800);
    for (const v of ids) expect((v + 9007199254740000) / 7).toBeGreaterThanOrEqual(4096);
    for (const v of ids) expect((v + 9007199254740000) / 7).toBeLessThan(6144);
    expect(rows.every((row) => row.s === null)).toBe(true);
    // one group's `id` chunk: far less than the group, whose strings are most of its bytes
    expect(bytesRead - footer).toBeGreaterThan(0);
    expect(bytesRead - footer).toBeLessThan(parts.bytes[2]! / 4);
  });

  it('is copied once, each row, across a stop and restart in the middle of the file, as DuckDB reads it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.parquet');
    await writeFile(file, 8 * 2048, 2048, lcg(seed + 7));
    const cap = Math.ceil(statSync(file).size / 8);
    const checkpointDir = path.join(dir, 'checkpoint');
    const copy = `
      CREATE TABLE t (id BIGINT, s VARCHAR, x DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'parquet',
        'source.max-bytes-per-trigger' = '${cap}');
      CREATE TABLE c (id BIGINT, s VARCHAR, x DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${dir}/copy', 'format' = 'json');
      INSERT INTO c SELECT * FROM t;`;
    // the first run stops after its second batch, in the middle of the file
    const first = new Engine({ clock: new ManualClock(0), checkpointDir });
    let batches = 0;
    let stopping: Promise<void> | undefined;
    first.addListener((e) => { if (e.type === 'progress' && ++batches === 2) stopping = first.stop(); });
    const [q1] = await first.execute(copy);
    await q1!.awaitTermination();
    await stopping;
    const second = new Engine({ clock: new ManualClock(0), checkpointDir });
    let more = 0;
    second.addListener((e) => { if (e.type === 'progress' && e.progress.numInputRows > 0) more++; });
    try {
      const [q2] = await second.execute(copy);
      await q2!.awaitTermination();
    } finally {
      await second.stop();
    }
    expect(batches).toBe(2);
    expect(more).toBeGreaterThan(1);
    const summary = (from: string) => `SELECT COUNT(*)::BIGINT AS n, COUNT(DISTINCT id)::BIGINT AS ids, SUM(id)::VARCHAR AS total,
      COUNT(s)::BIGINT AS strings, SUM(hash(s))::VARCHAR AS texts, SUM(x)::VARCHAR AS xs FROM ${from}`;
    const [want] = await duck.duckRows(summary(`'${file}'`));
    const [got] = await duck.duckRows(summary(`read_json('${dir}/copy/part-*.json', columns = {id: 'BIGINT', s: 'VARCHAR', x: 'DOUBLE'})`));
    expect(got).toEqual(want);
    expect(want!.n).toBe(8n * 2048n);
  });
});

/** An Arrow IPC file of `batches` record batches: NULLs, unicode, one dictionary shared by the batches, microsecond timestamps. */
function writeArrowFile(file: string, batches: number, r: () => number): number {
  const words = ['plain', 'é日本', '😀', 'a,b', '', 'x'.repeat(40)];
  const dictionary = arrow.vectorFromArray(['red', 'green', 'blue'], new arrow.Utf8());
  const out: arrow.RecordBatch[] = [];
  let row = 0;
  for (let b = 0; b < batches; b++) {
    const n = 1 + Math.floor(r() * 300);
    const ids = Array.from({ length: n }, (_, i) => (r() < 0.05 ? null : BigInt(row + i) * 7n - 9007199254740000n));
    const texts = Array.from({ length: n }, () => (r() < 0.1 ? null : pick(r, words) + Math.floor(r() * 100)));
    const xs = Array.from({ length: n }, () => (r() < 0.1 ? null : r() * 1e6 - 5e5));
    const colours = arrow.makeData({
      type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 0), length: n, nullCount: 0,
      data: Int32Array.from({ length: n }, () => Math.floor(r() * 3)), dictionary,
    });
    const micros = arrow.makeData({
      type: new arrow.TimestampMicrosecond(), length: n, nullCount: 0,
      data: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * 4e15) - 2e15)),
    });
    out.push(new arrow.RecordBatch({
      id: arrow.vectorFromArray(ids, new arrow.Int64()).data[0]!,
      s: arrow.vectorFromArray(texts, new arrow.Utf8()).data[0]!,
      x: arrow.vectorFromArray(xs, new arrow.Float64()).data[0]!,
      colour: colours, ts: micros,
    }));
    row += n;
  }
  writeFileSync(file, arrow.RecordBatchFileWriter.writeAll(new arrow.Table(out)).toUint8Array(true));
  return row;
}

/** Each record batch's block (its metadata and body), from the file's footer. */
function arrowBlockBytes(file: string): number[] {
  const bytes = readFileSync(file);
  const length = bytes.readInt32LE(bytes.length - 10);
  const footer = Footer.decode(bytes.subarray(bytes.length - 10 - length, bytes.length - 10));
  return [...footer.recordBatches()].map((b) => b.metaDataLength + Number(b.bodyLength));
}

describe('an Arrow IPC file read record batches a batch', () => {
  /** the buffers as they are */
  const same: Schema = { columns: [col('id', T.BIGINT), col('s', T.VARCHAR), col('x', T.DOUBLE)] };
  /** value by value: a dictionary and a microsecond timestamp converted, NULL ids rejected */
  const converted: Schema = { columns: [col('id', T.BIGINT, false), col('colour', T.VARCHAR), col('ts', T.TIMESTAMP)] };

  it('gives the rows and rejected records of the whole file, whatever the cap (seeded)', async () => {
    for (let run = 0; run < 4; run++) {
      const r = lcg(seed + 100 + run);
      const file = path.join(tempDir(), `file-${run}.arrow`);
      const batches = 1 + Math.floor(r() * 12);
      const n = writeArrowFile(file, batches, r);
      const blocks = arrowBlockBytes(file);
      expect(blocks).toHaveLength(batches);
      for (const schema of [same, converted]) {
        const why = `seed ${seed + 100 + run}, ${n} rows in ${batches} record batches, ${schema === same ? 'as they are' : 'converted'}`;
        const whole = await expectPartsLikeWhole(file, schema, blocks, r, why);
        expect(whole.rows.length + whole.rejected.length, why).toBe(n);
        if (schema === converted && n > 100) expect(whole.rejected.length, why).toBeGreaterThan(0);
      }
    }
  });

  it('reads a file whose footer gives its batches no metadata length (as arrow-swift wrote them)', async () => {
    const r = lcg(seed + 9);
    const file = path.join(tempDir(), 'swift.arrow');
    const n = writeArrowFile(file, 5, r);
    const bytes = readFileSync(file);
    const length = bytes.readInt32LE(bytes.length - 10);
    const footerStart = bytes.length - 10 - length;
    const footer = Footer.decode(bytes.subarray(footerStart, bytes.length - 10));
    // each Block struct in the footer: offset (int64), metaDataLength (int32), padding, bodyLength (int64)
    let patched = 0;
    for (const b of [...footer.recordBatches(), ...footer.dictionaryBatches()]) {
      const block = Buffer.alloc(24);
      block.writeBigInt64LE(BigInt(b.offset), 0);
      block.writeInt32LE(b.metaDataLength, 8);
      block.writeBigInt64LE(BigInt(b.bodyLength), 16);
      const at = bytes.indexOf(block, footerStart);
      expect(at).toBeGreaterThan(0);
      bytes.writeInt32LE(0, at + 8);
      patched++;
    }
    expect(patched).toBe(6);
    writeFileSync(file, bytes);
    // (the parts are weighed by the footer's lengths, now their bodies alone)
    const whole = await expectPartsLikeWhole(file, same, arrowBlockBytes(file), r, 'metaDataLength 0');
    expect(whole.rows).toHaveLength(n);
  });

  it('a file removed or damaged after its first part: its rest is reported once, no row read twice', async () => {
    for (const change of ['removed', 'footer damaged'] as const) {
      for (const sameSource of [false, true]) {
        const dir = tempDir();
        const file = path.join(dir, 'a.arrow');
        const n = writeArrowFile(file, 4, lcg(seed + 5));
        const options = { 'source.max-bytes-per-trigger': '1' };
        // the directory (a table naming the removed file itself would not open again)
        const open = (): FilesystemSource => new FilesystemSource(table(same, { connector: 'filesystem', path: dir, format: 'arrow', ...options }), ctx('/'));
        const planner = open();
        const first = (await planner.latestOffset(undefined))!;
        expect(parseOffset(first).partial).toEqual({ file: 'a.arrow', part: 1 });
        const firstRows = (await open().read(undefined, first)).batches.reduce((a, b) => a + b.numRows, 0);
        expect(firstRows).toBeGreaterThan(0);
        expect(firstRows).toBeLessThan(n);
        if (change === 'removed') rmSync(file);
        else {
          const bytes = readFileSync(file);
          bytes.fill(0x58, bytes.length - 6); // the trailing ARROW1
          writeFileSync(file, bytes);
        }
        const again = sameSource ? planner : open();
        const second = (await again.latestOffset(first))!;
        const why = `${change}, ${sameSource ? 'the same source' : 'a fresh source'}`;
        expect(parseOffset(second), why).toEqual({ files: ['a.arrow'] });
        const rest = await (sameSource ? planner : open()).read(first, second);
        expect(rest.batches.reduce((a, b) => a + b.numRows, 0), why).toBe(0);
        expect(rest.rejected, why).toHaveLength(1);
        expect(rest.rejected[0]!.reason, why).toBe(change === 'removed' ? 'the file was removed before it was read'
          : 'not a readable arrow file: its footer no longer reads, so its parts from 1 on are not read');
        expect(await again.latestOffset(second), why).toEqual(second);
      }
    }
  });

  it('a damaged footer: the file is read whole, and reported', async () => {
    const file = path.join(tempDir(), 'damaged.arrow');
    writeArrowFile(file, 5, lcg(seed));
    const bytes = readFileSync(file);
    bytes.writeInt32LE(bytes.length * 2, bytes.length - 10); // a footer length past the file's start
    writeFileSync(file, bytes);
    const read = await readAll(file, same, { 'source.max-bytes-per-trigger': '1' });
    expect(read.offsets).toHaveLength(1);
    expect(read.rows).toEqual([]);
    expect(read.rejected).toHaveLength(1);
    expect(read.rejected[0]!.reason).toMatch(/^not a readable Arrow IPC file/);
  });
});
