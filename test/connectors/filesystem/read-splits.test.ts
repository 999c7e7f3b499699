/**
 * A batch of the filesystem source cut into pieces for a parallel query's tasks (read-splits.ts,
 * FilesystemSource.splitBetween / readPiece): the pieces, each read by a fresh source from its JSON
 * (as a worker thread reads it), give in turn the rows and rejected records (reasons, `file:line`
 * and `file#row` origins) the batch gives read whole, whatever the files, the cap per batch and the
 * number of pieces; the pieces hold about equal bytes; a whole Parquet file is cut at its row groups;
 * a file removed after the cut is reported once.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { Json, RejectedRecord } from '../../../src/connectors/api.js';
import { FilesystemSource } from '../../../src/connectors/filesystem/index.js';
import { appendPieceRejected } from '../../../src/executor/parallel/worker-task-set.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';
import { fcParams } from '../../support/property.js';
import { ctx, removeTempDirs, table, tempDir } from './helpers.js';

afterAll(removeTempDirs);
const duck = parquetDuckDb('splits');

const schema: Schema = {
  columns: [
    { name: 'id', type: T.BIGINT, nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'x', type: T.DOUBLE, nullable: true },
  ],
};

const open = (dir: string, format: string, options: Record<string, string> = {}): FilesystemSource =>
  new FilesystemSource(table(schema, { connector: 'filesystem', path: dir, format, ...options }), ctx('/'));

interface Read { rows: Record<string, unknown>[]; rejected: RejectedRecord[] }

/**
 * Every batch the source plans: read whole by a fresh source, and cut into `pieces` pieces (by the
 * planning source), each read by a fresh source from its JSON; returns both, batch by batch.
 */
async function wholeAndPieces(make: () => FilesystemSource, pieces: number): Promise<{ whole: Read[]; cut: Read[][] }> {
  const planner = make();
  const whole: Read[] = [];
  const cut: Read[][] = [];
  let start: Json | undefined;
  for (;;) {
    const end = await planner.latestOffset(start);
    if (end === start || end === undefined) break;
    const w = await make().read(start, end);
    whole.push({ rows: w.batches.flatMap((b) => batchToRows(b)), rejected: [...w.rejected] });
    const split = await planner.splitBetween(start, end, pieces);
    expect(split).toHaveLength(pieces);
    const read: Read[] = [];
    for (const piece of split) {
      const r = await make().readPiece(JSON.parse(JSON.stringify(piece)) as Json);
      read.push({ rows: r.batches.flatMap((b) => batchToRows(b)), rejected: [...r.rejected] });
    }
    cut.push(read);
    start = end;
  }
  return { whole, cut };
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

const joined = (reads: readonly Read[]): Read => ({ rows: reads.flatMap((r) => r.rows), rejected: reads.flatMap((r) => r.rejected) });

/** Cells that break readers: delimiters, quotes, line breaks, unicode, numbers near 2^53 and 2^63. */
const text = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', '""', 'é日本😀'));
const id = fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, '9223372036854775807', '-9223372036854775808', 'not a number'));
const entry = fc.oneof(
  { weight: 8, arbitrary: fc.record({ id: fc.option(id, { nil: null }), s: fc.option(text, { nil: null }), x: fc.option(fc.double({ noNaN: true }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.constantFrom('1', '', '1,2', '{"id": 1', 'a"b,1,2', '1,"open') },
);
const csvCell = (v: unknown): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
};
const dirArb = fc.record({
  format: fc.constantFrom('csv', 'json'),
  header: fc.boolean(),
  /** blank lines before the first line (a CSV header's preamble) */
  blanks: fc.integer({ min: 0, max: 3 }),
  crlf: fc.boolean(),
  files: fc.array(fc.array(entry, { minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
  cap: fc.option(fc.integer({ min: 1, max: 1500 }), { nil: undefined }),
  pieces: fc.integer({ min: 1, max: 4 }),
});

describe('a batch of files cut into pieces for the tasks', () => {
  it('gives, piece after piece, the rows and rejected records of the batch read whole', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(dirArb, async (d) => {
      const dir = path.join(tempDir(), `d${n++}`);
      fs.mkdirSync(dir);
      const eol = d.crlf ? '\r\n' : '\n';
      d.files.forEach((entries, f) => {
        const lines = entries.map((e) => {
          if (typeof e === 'string') return e;
          if (d.format === 'json') return JSON.stringify({ id: e.id, s: e.s, x: e.x });
          return [e.id, e.s, e.x].map(csvCell).join(',');
        });
        if (d.format === 'csv' && d.header) lines.unshift('id,s,x');
        if (lines.length > 0) lines.unshift(...new Array<string>(d.blanks).fill(''));
        fs.writeFileSync(path.join(dir, `f${f}.${d.format}`), lines.join(eol) + (lines.length > 0 ? eol : ''));
      });
      const options: Record<string, string> = {
        ...(d.format === 'csv' && d.header ? { 'csv.header': 'true' } : {}),
        ...(d.cap !== undefined ? { 'source.max-bytes-per-trigger': String(d.cap) } : {}),
      };
      const { whole, cut } = await wholeAndPieces(() => open(dir, d.format, options), d.pieces);
      expect(cut.map(joined)).toEqual(whole);
    }), fcParams({ numRuns: 120 }));
  });

  it('cuts one large file into pieces of about equal bytes, at record boundaries', async () => {
    const dir = tempDir();
    // every line of the same length: equal bytes are equal rows
    const lines = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ id: i, s: 'x'.repeat(8 - String(i).length), x: 0.5 }));
    expect(new Set(lines.map((l) => Buffer.byteLength(l))).size).toBe(1);
    fs.writeFileSync(path.join(dir, 'big.json'), lines.join('\n') + '\n');
    for (const pieces of [2, 3, 4]) {
      const { whole, cut } = await wholeAndPieces(() => open(dir, 'json'), pieces);
      expect(whole).toHaveLength(1);
      expect(joined(cut[0]!)).toEqual(whole[0]);
      // give or take a line at each cut
      for (const piece of cut[0]!) expect(Math.abs(piece.rows.length - 4000 / pieces)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps line numbers: a rejected record past a cut names its line in the whole file', async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 1000 }, (_, i) => (i === 900 ? 'not json' : JSON.stringify({ id: i })));
    fs.writeFileSync(path.join(dir, 'a.json'), lines.join('\n') + '\n');
    const { cut } = await wholeAndPieces(() => open(dir, 'json'), 2);
    expect(cut[0]![0]!.rejected).toEqual([]);
    expect(cut[0]![1]!.rejected.map((r) => r.origin)).toEqual(['a.json:901']);
  });

  it('cuts Parquet files at their row groups, a whole file too', async () => {
    const dir = tempDir();
    const con = duck.con();
    await con.run('SET threads = 1');
    for (const [file, rows, group] of [['a.parquet', 5000, 600], ['b.parquet', 300, 300], ['c.parquet', 2000, 250]] as const) {
      await con.run(`COPY (SELECT CASE WHEN i % 17 = 0 THEN NULL ELSE i * 3 - 9007199254740000 END AS id,
          repeat(md5(i::VARCHAR), 1 + i % 3) || 'é' AS s, i / 7 AS x FROM range(${rows}) t(i))
        TO '${path.join(dir, file)}' (FORMAT parquet, ROW_GROUP_SIZE ${group})`);
    }
    for (const cap of [undefined, '60000', '1']) {
      for (const pieces of [2, 3]) {
        const { whole, cut } = await wholeAndPieces(() => open(dir, 'parquet', cap ? { 'source.max-bytes-per-trigger': cap } : {}), pieces);
        expect(cut.map(joined)).toEqual(whole);
        // one batch of all three files: each task gets rows, a.parquet's row groups shared out
        if (cap === undefined) for (const piece of cut[0]!) expect(piece.rows.length).toBeGreaterThan(0);
      }
    }
    // one file alone in its batch, cut at its row groups
    const single = (): FilesystemSource => new FilesystemSource(table(schema, { connector: 'filesystem', path: path.join(dir, 'a.parquet'), format: 'parquet' }), ctx('/'));
    const { whole, cut } = await wholeAndPieces(single, 2);
    expect(whole[0]!.rows).toHaveLength(5000);
    expect(joined(cut[0]!)).toEqual(whole[0]);
    const groups = parquetMetadata(toArrayBuffer(fs.readFileSync(path.join(dir, 'a.parquet')))).row_groups.map((g) => Number(g.num_rows));
    expect(groups.length).toBeGreaterThan(1);
    const first = cut[0]![0]!.rows.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(5000);
    // at a row group's end
    expect(groups.map((_, k) => groups.slice(0, k + 1).reduce((a, x) => a + x, 0))).toContain(first);
  });

  it('never cuts inside a CSV header or the blank lines before it, nor a file in a `k=v` directory', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'f.csv'), '\n\n\nid,s,x\n1,a,0.5\n2,b,1.5\n3,c,2.5\n');
    const planner = open(dir, 'csv', { 'csv.header': 'true' });
    const end = (await planner.latestOffset(undefined))!;
    const whole = await open(dir, 'csv', { 'csv.header': 'true' }).read(undefined, end);
    for (const pieces of [2, 3, 4, 8]) {
      const cut = await planner.splitBetween(undefined, end, pieces);
      const reads = await Promise.all(cut.map((p) => open(dir, 'csv', { 'csv.header': 'true' }).readPiece(p)));
      expect(reads.flatMap((r) => r.batches.flatMap((b) => batchToRows(b)))).toEqual(whole.batches.flatMap((b) => batchToRows(b)));
      expect(reads.flatMap((r) => r.rejected)).toEqual([]);
    }
    // a header cut off by a piece's window: the window ends inside it, after the blank lines
    const two: Schema = { columns: [{ name: 'a', type: T.VARCHAR, nullable: true }, { name: 'b', type: T.BIGINT, nullable: true }] };
    const short = tempDir();
    fs.writeFileSync(path.join(short, 'f.csv'), '\n\na,b\nx,1\n');
    const headed = (): FilesystemSource => new FilesystemSource(table(two, { connector: 'filesystem', path: short, format: 'csv', 'csv.header': 'true' }), ctx('/'));
    for (const pieces of [2, 3]) {
      const { whole: w, cut } = await wholeAndPieces(headed, pieces);
      expect(w[0]!.rows).toEqual([{ a: 'x', b: 1 }]);
      expect(cut.map(joined)).toEqual(w);
    }
    // a value of the directory that does not convert rejects the file once, however many pieces
    const parted = tempDir();
    const typed: Schema = { columns: [...schema.columns, { name: 'k', type: T.INT, nullable: true }] };
    fs.mkdirSync(path.join(parted, 'k=abc'));
    fs.writeFileSync(path.join(parted, 'k=abc', 'f.json'), Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: i })).join('\n') + '\n');
    const source = (): FilesystemSource => new FilesystemSource(table(typed, { connector: 'filesystem', path: parted, format: 'json' }), ctx('/'));
    const { whole: w, cut } = await wholeAndPieces(source, 3);
    expect(w[0]!.rejected).toHaveLength(1);
    expect(joined(cut[0]!)).toEqual(w[0]);
  });

  it('does not cut a file whose format cannot find record ends alone (a quote beyond one byte, comments)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'f.csv'), '1,„a\nb\nc„,0.5\n2,„d\ne\nf\ng„,1.5\n3,„h„,2.5\n');
    const quoted = await wholeAndPieces(() => open(dir, 'csv', { 'csv.quote-character': '„' }), 2);
    expect(quoted.whole[0]!.rows).toHaveLength(3);
    expect(quoted.cut.map(joined)).toEqual(quoted.whole);
    const other = tempDir();
    fs.writeFileSync(path.join(other, 'f.csv'), '#,"\n1,2\n",3\n4",5\n');
    const comments = await wholeAndPieces(() => open(other, 'csv', { 'csv.allow-comments': 'true' }), 2);
    expect(comments.cut.map(joined)).toEqual(comments.whole);
  });

  it('reports a file removed after the cut once, in the piece that reads it', async () => {
    const dir = tempDir();
    for (let f = 0; f < 4; f++) fs.writeFileSync(path.join(dir, `f${f}.json`), Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: f * 100 + i })).join('\n') + '\n');
    const planner = open(dir, 'json');
    const end = (await planner.latestOffset(undefined))!;
    const pieces = await planner.splitBetween(undefined, end, 2);
    fs.rmSync(path.join(dir, 'f3.json'));
    const reads = await Promise.all(pieces.map((p) => open(dir, 'json').readPiece(p)));
    // f3.json lay in the second piece (the first holds about half the bytes, f0 and f1 and at most part of f2)
    const rows = reads.map((r) => r.batches.reduce((a, b) => a + b.numRows, 0));
    expect(rows[0]).toBeGreaterThanOrEqual(100);
    expect(rows[0]! + rows[1]!).toBe(150);
    expect(reads.flatMap((r) => r.rejected)).toEqual([{ origin: 'f3.json', reason: 'the file was removed before it was read', raw: '' }]);
  });

  it('keeps once a file lost whole that two pieces report, and every other record', () => {
    const removed = { origin: 'f.json', reason: 'the file was removed before it was read', raw: '' };
    const line = (n: number): RejectedRecord => ({ origin: `g.json:${n}`, reason: 'invalid JSON', raw: 'x' });
    const into: RejectedRecord[] = [];
    appendPieceRejected(into, [line(1), removed]);
    appendPieceRejected(into, [removed, line(7)]);
    appendPieceRejected(into, []);
    appendPieceRejected(into, [line(9)]);
    expect(into).toEqual([line(1), removed, line(7), line(9)]);
  });

  it('refuses a piece that is not one', async () => {
    const source = open(tempDir(), 'json');
    for (const piece of [null, {}, [{ file: 1 }], [{ file: 'a', range: [0, 1] }], [{ file: 'a', parts: [-1, null] }], [{ file: 'a', range: 'x' }]]) {
      await expect(source.readPiece(piece as Json)).rejects.toThrow(`not a piece of a filesystem batch: ${JSON.stringify(piece)}`);
    }
  });
});
