/**
 * At `SET 'parallelism' = '2'` on worker threads the tasks read the filesystem source themselves,
 * each its piece of every batch (FilesystemSource.splitBetween / readPiece, engine/parallel/task-sources.ts):
 * the results equal parallelism 1's; progress counts every row and every malformed record as at
 * parallelism 1 (once, also when two scans read one table); the rejected records are kept once, with
 * the origins they have at parallelism 1; a malformed record with `json.ignore-parse-errors` off fails
 * the query from the worker that read it. Needs `npm run build` (the workers run the built task-worker.js).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { tempDir } from '../support/cli.js';
import { seeded } from '../support/oracle.js';
import { sortRows } from '../support/stream-test.js';

const BAD = ['{"k": "a", "v": ', '{"k": "a", "v": "seven"}', 'not json', '{"k": "c", "v": 1.5}'];

/** `files` JSON files of `perFile` lines, about one in ten malformed; returns the malformed lines' origins. */
function writeInput(dir: string, files: number, perFile: number, seed: number): string[] {
  mkdirSync(dir, { recursive: true });
  const r = seeded(seed);
  const bad: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let l = 1; l <= perFile; l++) {
      if (r() < 0.1) {
        lines.push(BAD[Math.floor(r() * BAD.length)]!);
        bad.push(`in-${f}.json:${l}`);
      } else {
        lines.push(JSON.stringify({ k: ['a', 'b', 'c', 'd'][Math.floor(r() * 4)], v: Math.floor(r() * 100) - 20, id: f * perFile + l }));
      }
    }
    writeFileSync(path.join(dir, `in-${f}.json`), lines.join('\n') + '\n');
  }
  return bad;
}

interface Run { rows: Record<string, unknown>[]; progress: readonly QueryProgress[]; rejected: string[] }

async function run(parallelism: number, input: string, query: string, rejectedDir: string, options = '', cap = '6000'): Promise<Run> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`
      SET 'parallelism' = '${parallelism}';
      SET 'rejected-records.path' = '${rejectedDir}';
      CREATE TABLE t (k STRING, v INT, id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json',
        'source.max-bytes-per-trigger' = '${cap}'${options});
      CREATE TABLE o (k STRING, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
      INSERT INTO o ${query};`);
    expect(await q!.awaitTermination(60_000)).toBe(true);
    const rejected = readdirSync(rejectedDir).flatMap((f) => readFileSync(path.join(rejectedDir, f), 'utf8').trim().split('\n'))
      .map((l) => (JSON.parse(l) as { origin: string }).origin);
    return { rows: sortRows(engine.output('o').rows()), progress: q!.recentProgress, rejected };
  } finally {
    await engine.stop();
  }
}

/** `SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k` at parallelism 2 over a filesystem table t (k STRING, v INT, id BIGINT) of `options`. */
async function countsAtTwo(options: string): Promise<{ rows: Record<string, unknown>[]; progress: readonly QueryProgress[] }> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(`
      SET 'parallelism' = '2';
      CREATE TABLE t (k STRING, v INT, id BIGINT) WITH ('connector' = 'filesystem', ${options});
      CREATE TABLE o (k STRING, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k;`);
    expect(await q!.awaitTermination(30_000)).toBe(true);
    return { rows: sortRows(engine.output('o').rows()), progress: q!.recentProgress };
  } finally {
    await engine.stop();
  }
}

const total = (ps: readonly QueryProgress[], f: (p: QueryProgress) => number): number => ps.reduce((a, p) => a + f(p), 0);

describe('the filesystem source read by the tasks at parallelism 2', () => {
  it('gives parallelism 1\'s results, progress and rejected records', async () => {
    const dir = tempDir();
    const bad = writeInput(path.join(dir, 'in'), 5, 300, 7);
    const query = 'SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k';
    const one = await run(1, path.join(dir, 'in'), query, path.join(dir, 'rejected-1'));
    const two = await run(2, path.join(dir, 'in'), query, path.join(dir, 'rejected-2'));
    expect(two.progress.at(-1)!.parallelism).toMatchObject({ tasks: 2, threads: 2 });
    expect(one.rows).toHaveLength(4);
    expect(two.rows).toEqual(one.rows);
    expect(total(one.progress, (p) => p.numInputRows)).toBe(1500 - bad.length);
    for (const r of [one, two]) {
      expect(total(r.progress, (p) => p.numInputRows)).toBe(1500 - bad.length);
      expect(total(r.progress, (p) => p.numRejectedRows)).toBe(bad.length);
      expect(total(r.progress, (p) => p.sources[0]!.numRejectedRows)).toBe(bad.length);
      expect(r.rejected.sort()).toEqual([...bad].sort());
    }
    // batch by batch, as at parallelism 1 (the same offsets: the tasks only share out the reading)
    expect(two.progress.map((p) => [p.numInputRows, p.numRejectedRows])).toEqual(one.progress.map((p) => [p.numInputRows, p.numRejectedRows]));
  });

  it('counts a table two scans read once in the batch, in each scan\'s own rows, its rejected records once', async () => {
    const dir = tempDir();
    const bad = writeInput(path.join(dir, 'in'), 3, 200, 11);
    // (the scans read different columns: two scans of one source, not one scan read twice)
    const query = `SELECT k, COUNT(*), SUM(v) FROM (SELECT k, v FROM t UNION ALL SELECT 'id' AS k, CAST(id AS INT) AS v FROM t) GROUP BY k`;
    const one = await run(1, path.join(dir, 'in'), query, path.join(dir, 'rejected-1'));
    const two = await run(2, path.join(dir, 'in'), query, path.join(dir, 'rejected-2'));
    expect(two.progress.at(-1)!.parallelism).toMatchObject({ tasks: 2, threads: 2 });
    expect(two.rows).toEqual(one.rows);
    expect(total(two.progress, (p) => p.numInputRows)).toBe(600 - bad.length);
    expect(total(two.progress, (p) => p.numRejectedRows)).toBe(bad.length);
    expect(two.rejected.sort()).toEqual([...bad].sort());
    expect(two.progress[0]!.sources).toHaveLength(2);
    const perSource = (r: Run): number[][] => r.progress.map((p) => p.sources.map((s) => s.numInputRows * 1000 + s.numRejectedRows));
    expect(perSource(two)).toEqual(perSource(one));
  });

  it('fails the query, not waits forever, when one task fails while the other still reads', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    // task 0's piece starts with the malformed line; task 1 has 60 000 lines to read meanwhile
    const good = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ k: `k${i % 50}`, v: i }));
    writeFileSync(path.join(input, 'a.json'), ['{"k": "a", "v": ', ...good].join('\n') + '\n');
    for (let attempt = 0; attempt < 3; attempt++) {
      const e = await run(2, input, 'SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k', path.join(dir, `rejected-${attempt}`),
        ", 'json.ignore-parse-errors' = 'false'", '64mb').then(() => undefined, (x: unknown) => x as Error);
      expect(e?.message).toMatch(/^a\.json:1: /);
    }
  }, 60_000);

  it('fails with the first malformed record of the batch, whichever task fails first', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    // files read whole (comments: the decoder cannot find record ends alone): task 0 reads the large
    // one, whose malformed line is its last, task 1 the small one, malformed at once and done first
    writeFileSync(path.join(input, 'a.csv'), [...Array.from({ length: 40_000 }, (_, i) => `k${i % 7},${i},${i}`), 'a,seven,1'].join('\n') + '\n');
    writeFileSync(path.join(input, 'b.csv'), 'b,eight,2\nb,1,3\n');
    for (let attempt = 0; attempt < 2; attempt++) {
      const e = await countsAtTwo(`'path' = '${input}', 'format' = 'csv', 'csv.allow-comments' = 'true', 'csv.ignore-parse-errors' = 'false'`)
        .then(() => undefined, (x: unknown) => x as Error);
      expect(e?.message).toMatch(/^a\.csv:40001: /);
    }
  });

  it('reads a table written with legacy option names (`format.type`) in the tasks as the query\'s thread reads it', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(path.join(input, 'f.csv'), Array.from({ length: 500 }, (_, i) => `k${i % 3};${i};${i}`).join('\n') + '\n');
    const r = await countsAtTwo(`'path' = '${input}', 'format.type' = 'csv', 'format.field-delimiter' = ';', 'source.max-bytes-per-trigger' = '2000'`);
    expect(r.progress.at(-1)!.parallelism).toMatchObject({ tasks: 2, threads: 2 });
    const sums = [0, 1, 2].map((k) => ({ k: `k${k}`, n: 167 - (k === 2 ? 1 : 0), total: Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 3 === k).reduce((a, x) => a + x, 0) }));
    expect(r.rows).toEqual(sums);
  });

  it.each([1, 2])('keeps the rejected records of a batch whose run fails (parallelism %i)', async (p) => {
    // at 1 the query's thread reads the files; at 2 each task reads one, and a failed run sends what it read back with its error
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(path.join(input, 'f.json'), '{"k": "a", "v": 1}\nnot json\n{"k": "b", "v": 2}\n');
    writeFileSync(path.join(input, 'g.json'), '{"k": "c", "v": 3}\n{"k": "d", "v": 4}\nalso bad\n');
    const rejected = path.join(dir, 'rejected');
    const e = await run(p, input, `SELECT k, COUNT(*), SUM(CAST(k AS INT)) FROM t GROUP BY k`, rejected).then(() => undefined, (x: unknown) => x as Error);
    expect(e?.message).toMatch(/CAST|cannot|'[abcd]'/i);
    expect(readdirSync(rejected)).toEqual(['batch-00000000.jsonl']);
    const kept = readFileSync(path.join(rejected, 'batch-00000000.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept).toMatchObject([{ batchId: 0, origin: 'f.json:2', raw: 'not json' }, { batchId: 0, origin: 'g.json:3', raw: 'also bad' }]);
  });

  it('fails the query from the worker that read a malformed record, when parse errors are not ignored', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(path.join(input, 'a.json'), Array.from({ length: 400 }, (_, i) => (i === 399 ? 'not json' : JSON.stringify({ k: 'a', v: i }))).join('\n') + '\n');
    const e = await run(2, input, 'SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k', path.join(dir, 'rejected'), ", 'json.ignore-parse-errors' = 'false'")
      .then(() => undefined, (x: unknown) => x as Error);
    expect(e).toBeDefined();
    expect(e!.message).toMatch(/^a\.json:400: /);
    // the last line is in the last piece of its batch
    expect(e!.stack).toMatch(/in the worker thread of task 1/);
  });
});
