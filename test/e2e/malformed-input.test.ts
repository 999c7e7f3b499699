/**
 * Malformed input lines never stop a query and are never dropped in silence: each is counted in
 * progress (numRejectedRows) and written with its origin and reason to `_rejected/` beside the
 * filesystem sink's output; the other lines are processed, and the result
 * equals DuckDB over exactly the good rows.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { listCommittedFiles } from '../../src/connectors/filesystem/layout.js';
import { JsonNumberText, parseJsonExact } from '../../src/connectors/formats/json-values.js';
import { readSinkOutput, runCli, tempDir, writeSql } from '../support/cli.js';
import { sortRows } from '../support/stream-test.js';
import { expectSameRows, oracleQuery, seeded, type OracleColumn, type Row } from '../support/oracle.js';

const COLUMNS: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' },
  { name: 'v', type: 'INT' },
];

interface Line { readonly text: string; readonly good?: Row; readonly file: string; readonly line: number }

const BAD_JSON = ['{"k": "a", "v": ', '{"k": "a", "v": "seven"}', '[1, 2]', 'not json', '{"k": "b", "v": 2147483648}', '{"k": "c", "v": 1.5}'];
const BAD_CSV = ['x', 'a,b,c', 'a,seven', 'a,"unclosed', 'a,1.5'];

/** `files` files of `perFile` lines each, about one in eight malformed. */
function makeLines(format: 'json' | 'csv', files: number, perFile: number, seed: number): Line[] {
  const r = seeded(seed);
  const out: Line[] = [];
  for (let f = 0; f < files; f++) {
    const file = `in-${f}.${format}`;
    for (let l = 1; l <= perFile; l++) {
      if (r() < 0.125) {
        const bad = format === 'json' ? BAD_JSON : BAD_CSV;
        out.push({ text: bad[Math.floor(r() * bad.length)]!, file, line: l });
        continue;
      }
      const good = { k: ['a', 'b', 'c'][Math.floor(r() * 3)]!, v: Math.floor(r() * 100) - 20 };
      out.push({ text: format === 'json' ? JSON.stringify(good) : `${good.k},${good.v}`, good, file, line: l });
    }
  }
  return out;
}

function writeLines(dir: string, lines: readonly Line[]): void {
  mkdirSync(dir, { recursive: true });
  const byFile = new Map<string, string[]>();
  for (const l of lines) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l.text]);
  for (const [f, texts] of byFile) writeFileSync(path.join(dir, f), texts.join('\n') + '\n');
}

const AGG = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k';

describe.each(['json', 'csv'] as const)('malformed %s lines', (format) => {
  it('are counted, kept aside with their reason, and the rest is processed (CLI)', async () => {
    const dir = tempDir();
    const lines = makeLines(format, 6, 40, format === 'json' ? 1 : 2);
    const bad = lines.filter((l) => !l.good);
    const good = lines.filter((l) => l.good).map((l) => l.good!);
    expect(bad.length).toBeGreaterThan(5);
    writeLines(path.join(dir, 'in'), lines);
    const file = writeSql(dir, `
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = '${format}',
        'source.max-files-per-trigger' = '1');
      CREATE TABLE rows_out (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/rows', 'format' = 'json');
      CREATE TABLE agg_out (k STRING, n BIGINT, total BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/agg', 'format' = 'json');
      INSERT INTO rows_out SELECT k, v FROM t;
      INSERT INTO agg_out ${AGG};`);
    const r = await runCli(['run', file, '--output-mode', 'update', '--progress']);
    expect(r.code).toBe(0);

    // the good rows, all of them, once
    expectSameRows(readSinkOutput(path.join(dir, 'rows')), good, 'rows');

    // the bad ones, each with its file:line and a reason
    const rejected = readdirSync(path.join(dir, 'rows', '_rejected')).flatMap((f) =>
      readFileSync(path.join(dir, 'rows', '_rejected', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row));
    expect(rejected.map((x) => x.origin).sort()).toEqual(bad.map((l) => `${l.file}:${l.line}`).sort());
    for (const x of rejected) {
      expect(typeof x.reason).toBe('string');
      expect((x.reason as string).length).toBeGreaterThan(3);
      expect(typeof x.raw).toBe('string');
    }
    expect(rejected.map((x) => x.raw).sort()).toEqual(bad.map((l) => l.text).sort());

    // counted in the progress lines (the "malformed record(s) kept in ..." notes go to the process's
    // own stderr, which an in-process run does not capture)
    const counted = [...r.stderr.matchAll(/\[insert-into_rows_out[^\]]*\] batch \d+:.*rejected (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(bad.length);

    // and the aggregate over the good rows equals DuckDB's
    const last = new Map<string, Row>();
    for (const row of readSinkOutput(path.join(dir, 'agg'))) last.set(String(row.k), row);
    expectSameRows([...last.values()], await oracleQuery('t', COLUMNS, good, AGG), 'aggregate');
  });
});

describe('malformed lines through the API', () => {
  it('numRejectedRows in progress, per batch and per source', async () => {
    const dir = tempDir();
    const lines = makeLines('json', 4, 25, 3);
    const bad = lines.filter((l) => !l.good);
    writeLines(path.join(dir, 'in'), lines);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json',
        'source.max-files-per-trigger' = '1');
      CREATE TABLE o (k STRING, v INT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, v FROM t;`);
    expect(await q!.awaitTermination(20_000)).toBe(true);
    const progress = q!.recentProgress;
    expect(progress.reduce((n, p) => n + p.numRejectedRows, 0)).toBe(bad.length);
    expect(progress.reduce((n, p) => n + p.sources[0]!.numRejectedRows, 0)).toBe(bad.length);
    // batch i read file i: its rejected count is that file's
    for (let f = 0; f < 4; f++) {
      expect(progress[f]!.numRejectedRows).toBe(bad.filter((l) => l.file === `in-${f}.json`).length);
    }
    expect(engine.output('o').rows()).toHaveLength(lines.length - bad.length);
    await engine.stop();
  });
});

/**
 * Hostile records: values that once stopped a query (a 6,000-deep array in a STRING field), came
 * out wrong (1e400 as "Infinity", 2^53 + 1 as 2^53) or were rejected with a misleading reason. The
 * query finishes, the good rows come through exactly, and each bad one is a rejected record with
 * the reason it deserves.
 */
describe.each(['json', 'csv'] as const)('hostile %s records through the CLI', (format) => {
  const deep = '['.repeat(6000) + ']'.repeat(6000);
  // [line (bytes for the non-UTF-8 one), reason]; CSV columns: id, l, d, s, ts
  const bad: readonly (readonly [string | Buffer, string | RegExp])[] = format === 'json' ? [
    [`{"id": 1, "s": ${deep}}`, /^column 's': cannot read \[\[\[.* as VARCHAR \(nested deeper than 1000 levels\)$/],
    ['{"id": 2, "d": 1e400}', `value 1e400 is out of range for DOUBLE in column 'd'`],
    ['{"id": 3, "l": 1e400}', `value 1e400 is out of range for BIGINT in column 'l'`],
    ['{"id": 4, "l": 9223372036854775808}', `value 9223372036854775808 is out of range for BIGINT in column 'l'`],
    ['{"id": 5.5}', `column 'id': cannot read 5.5 as INT (not an integer)`],
    ['{"id": 6, "s": "\\udc00"}', `column 's': cannot read "\\udc00" as VARCHAR (not valid Unicode: a lone surrogate)`],
    [Buffer.concat([Buffer.from('{"id": 7, "s": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), 'invalid UTF-8: the record holds bytes that are not UTF-8'],
    ['{"id": 8, "ts": 1e16}', `value 1e16 is out of range for TIMESTAMP(3) in column 'ts'`],
    ['{"id": 9, "ts": "2026-13-01T00:00:00Z"}', /^column 'ts': cannot read "2026-13-01T00:00:00Z" as TIMESTAMP\(3\)/],
    ['{"id": 10', /^invalid JSON/],
  ] : [
    ['1,2', 'expected 5 fields, found 2'],
    ['2,,1e400,,', `value 1e400 is out of range for DOUBLE in column 'd'`],
    ['3,-9223372036854775809,,,', `value -9223372036854775809 is out of range for BIGINT in column 'l'`],
    ['4.5,,,,', `column 'id': cannot read "4.5" as INT`],
    [Buffer.concat([Buffer.from('5,,,'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(',')]), 'invalid UTF-8: the record holds bytes that are not UTF-8'],
    ['6,,,,99999999999999999', `value 99999999999999999 is out of range for TIMESTAMP(3) in column 'ts'`],
    ['7,,,"unclosed,', 'invalid CSV: a quoted field is not closed'],
  ];
  const goodRows = [
    { id: 100, l: 9007199254740993n, d: 1.5, s: 'a', ts: '2026-11-23T10:00:05.000Z' },
    { id: 101, l: -9223372036854775808n, d: 1e308, s: 'b,"c"', ts: null },
    { id: 102, l: 42, d: null, s: null, ts: '1970-01-01T00:00:00.000Z' },
  ];
  const goodLine = (r: (typeof goodRows)[number]): string => format === 'json'
    ? `{"id": ${r.id}, "l": ${r.l}, "d": ${r.d}, "s": ${JSON.stringify(r.s)}, "ts": ${JSON.stringify(r.ts)}}`
    : `${r.id},${r.l},${r.d ?? ''},${r.s === null ? '' : `"${r.s.replace(/"/g, '""')}"`},${r.ts ?? ''}`;

  it('the query finishes, the good rows come through exactly, each bad one is rejected with its reason', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'in'));
    // bad and good records interleaved in one file
    const parts: Buffer[] = [];
    const origins: string[] = [];
    let line = 0;
    for (let i = 0; i < bad.length; i++) {
      parts.push(Buffer.from(bad[i]![0]), Buffer.from('\n'));
      origins.push(`in.${format}:${++line}`);
      const good = goodRows[i];
      if (good) { parts.push(Buffer.from(goodLine(good) + '\n')); line++; }
    }
    writeFileSync(path.join(dir, 'in', `in.${format}`), Buffer.concat(parts));
    const file = writeSql(dir, `
      CREATE TABLE t (id INT, l BIGINT, d DOUBLE, s STRING, ts TIMESTAMP(3))
        WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = '${format}');
      CREATE TABLE o (id INT, l BIGINT, d DOUBLE, s STRING, ts TIMESTAMP(3))
        WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
      INSERT INTO o SELECT * FROM t;`);
    const r = await runCli(['run', file, '--progress']);
    expect(r.stderr).not.toMatch(/internal error|RangeError|TypeError/i);
    expect(r.code).toBe(0);

    // the sink's text, read exactly (a plain JSON.parse would round the BIGINTs it checks)
    const written = listCommittedFiles(path.join(dir, 'out'))
      .flatMap((f) => readFileSync(path.join(dir, 'out', f), 'utf8').split('\n').filter(Boolean))
      .map((l) => parseJsonExact(l) as Row)
      // 1e+308 is kept as written by the exact reader (it is an integer no int64 holds): a DOUBLE here
      .map((row) => ({ ...row, d: row.d instanceof JsonNumberText ? Number(row.d.text) : row.d }));
    expect(sortRows(written)).toEqual(sortRows(goodRows));

    const rejected = readdirSync(path.join(dir, 'out', '_rejected')).flatMap((f) =>
      readFileSync(path.join(dir, 'out', '_rejected', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row));
    expect(rejected.map((x) => x.origin)).toEqual(origins);
    rejected.forEach((x, i) => {
      const want = bad[i]![1];
      if (typeof want === 'string') expect(x.reason, String(x.origin)).toBe(want);
      else expect(x.reason, String(x.origin)).toMatch(want);
    });
    const counted = [...r.stderr.matchAll(/batch \d+:.*rejected (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(bad.length);
  });
});
