/**
 * At `SET 'parallelism' = '2'` the tasks run on worker threads (worker-task-set.ts): progress says
 * so and names two worker threads other than the query's; an operator that throws in a worker
 * fails the query with its own error (code, message, position) and the operator's line; a query
 * that calls a function registered in this process runs its tasks inline, and progress says why.
 * Needs `npm run build` (the worker runs the built task-worker.js, bundled).
 */
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { workerScript, workerScriptIn } from '../../src/executor/parallel/worker-task-set.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { DEFAULT_MAX_EVENTS_PER_BATCH } from '../../src/connectors/nexmark/index.js';
import { nexmarkDdl, nexmarkSettings } from '../support/nexmark.js';
import { addData, checkAnswer, checkProgress, execute, expectFailure, testStream } from '../support/stream-test.js';

const DDL = `
  SET 'parallelism' = '2';
  CREATE TABLE l (k INT, s STRING) WITH ('connector' = 'memory');
  CREATE TABLE o (k INT, n BIGINT) WITH ('connector' = 'memory');
`;
const FIXTURES = path.join(__dirname, 'fixtures', 'functions');
const rows = (n: number): { k: number; s: string }[] => Array.from({ length: n }, (_, i) => ({ k: i % 7, s: String(i) }));
const counts = (n: number): { k: number; n: number }[] => {
  const m = new Map<number, number>();
  for (const r of rows(n)) m.set(r.k, (m.get(r.k) ?? 0) + 1);
  return [...m].map(([k, c]) => ({ k, n: c }));
};

describe('parallel tasks on worker threads', () => {
  it('starts the workers from the bundled script the build makes (one file to load, not some 150 modules)', () => {
    // scripts/bundle.mjs, run by `npm run build`; without it the workers start, slower
    expect(workerScript()).toBe(path.join(__dirname, '..', '..', 'dist', 'engine', 'parallel', 'worker', 'task-worker.js'));
  });

  it('leaves a bundle older than the script it was made from (tsc run alone), and uses the script then', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weir-worker-script-'));
    try {
      const plain = path.join(dir, 'task-worker.js');
      const bundle = path.join(dir, 'worker', 'task-worker.js');
      expect(workerScriptIn(dir)).toBeUndefined();
      writeFileSync(plain, '');
      expect(workerScriptIn(dir)).toBe(plain);
      mkdirSync(path.dirname(bundle));
      writeFileSync(bundle, '');
      utimesSync(plain, new Date(1_000_000), new Date(1_000_000));
      expect(workerScriptIn(dir)).toBe(bundle);
      utimesSync(plain, new Date(), new Date(Date.now() + 60_000));
      expect(workerScriptIn(dir)).toBe(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the tasks on two worker threads, and progress says so', async () => {
    await testStream(`${DDL} INSERT INTO o SELECT k, COUNT(*) FROM l GROUP BY k;`, [
      addData('l', rows(100)),
      addData('l', rows(50)),
      checkAnswer('o', [...counts(100).map((r) => ({ ...r, n: r.n + counts(50).find((x) => x.k === r.k)!.n }))]),
      checkProgress((last) => {
        expect(last.parallelism).toMatchObject({ tasks: 2, threads: 2 });
        const ids = last.parallelism!.threadIds!;
        expect(new Set(ids).size).toBe(2);
        expect(ids).not.toContain(threadId);
        // the group counts of both tasks' key groups, summed
        expect(last.stateOperators[0]!.numRowsTotal).toBe(7);
      }),
    ]);
  });

  it('reads a nexmark batch of the default size once per task, and an explicit cap whole', async () => {
    // the generator's events are in time order: no row arrives late, so the windows' counts do not
    // depend on the batches
    const batches = async (tasks: number, options: Record<string, string> = {}): Promise<{ sizes: number[]; rows: unknown[] }> => {
      const engine = new Engine({ clock: new ManualClock(0), settings: nexmarkSettings(45_000), memory: { changelog: 'all' } });
      try {
        const [q] = await engine.execute(`SET 'parallelism' = '${tasks}';\n${nexmarkDdl(options)}
          CREATE TABLE o (k BIGINT, ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
          INSERT INTO o SELECT auction % 3, window_start, COUNT(*)
            FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '1' SECOND)) GROUP BY auction % 3, window_start, window_end;`);
        expect(await q!.awaitTermination(60_000)).toBe(true);
        if (tasks > 1) expect(q!.lastProgress!.parallelism).toMatchObject({ tasks, threads: tasks });
        const rows = engine.output('o').rows().map((r) => JSON.stringify(r)).sort();
        return { sizes: q!.recentProgress.map((p) => p.numInputRows).filter((n) => n > 0), rows };
      } finally {
        await engine.stop();
      }
    };
    const d = DEFAULT_MAX_EVENTS_PER_BATCH;
    const cut = (size: number) => Array.from({ length: Math.ceil(45_000 / size) }, (_, i) => Math.min(size, 45_000 - i * size));
    const one = await batches(1);
    expect(one.sizes).toEqual(cut(d));
    expect(one.rows.length).toBeGreaterThan(30);
    const two = await batches(2);
    expect(two.sizes).toEqual(cut(2 * d));
    expect(two.rows).toEqual(one.rows);
    expect((await batches(2, { 'source.max-events-per-batch': String(d) })).sizes).toEqual(cut(d));
  });

  it('runs a sub-plan two parents read once a batch, in every task', async () => {
    // one aggregation read by both sides of the UNION ALL (planner: identical sub-plans run once);
    // run twice a batch, it would count every row twice and its exchanges would not pair up
    await testStream(`${DDL} INSERT INTO o SELECT k, COUNT(*) FROM l GROUP BY k UNION ALL SELECT k, COUNT(*) FROM l GROUP BY k;`, [
      addData('l', rows(40)),
      addData('l', rows(30)),
      checkAnswer('o', counts(40).flatMap((r) => {
        const row = { ...r, n: r.n + counts(30).find((x) => x.k === r.k)!.n };
        return [row, row];
      })),
      checkProgress((last) => expect(last.parallelism).toMatchObject({ tasks: 2, threads: 2 })),
    ]);
  });

  it('fails the query with the error an operator threw in a worker, and where', async () => {
    await testStream(`${DDL} INSERT INTO o SELECT k, SUM(CAST(s AS INT)) FROM l GROUP BY k;`, [
      addData('l', [{ k: 1, s: '1' }]),
      execute(({ engine }) => { engine.input('l').push([{ k: 2, s: '2' }, { k: 3, s: 'x' }]); }),
      expectFailure(/CAST|cast|x/),
      execute(async ({ queries }) => {
        const e = await queries[0]!.awaitTermination(5_000).then(() => undefined, (x: unknown) => x as Error & { code?: string; operator?: string });
        expect(e).toBeDefined();
        expect(e!.name).toBe('WeirError');
        expect(e!.stack).toMatch(/in the worker thread of task [01], operator /);
      }),
    ]);
  });

  it('fails with a CREATE FUNCTION module\'s own WeirError as at parallelism 1 (the worker\'s bundle has its own copy of the class)', async () => {
    const messages: string[] = [];
    for (const p of ['1', '2']) {
      await testStream(`
        SET 'parallelism' = '${p}';
        CREATE FUNCTION range_check AS '${path.join(FIXTURES, 'range-check.mjs')}';
        CREATE TABLE t (id INT) WITH ('connector' = 'memory');
        CREATE TABLE out (id INT, x INT) WITH ('connector' = 'memory');
        INSERT INTO out SELECT id, x FROM t, LATERAL TABLE(range_check(id));`, [
        execute(({ engine }) => { engine.input('t').push([{ id: 1 }, { id: 2 }, { id: 3 }]); }),
        execute(async ({ queries }) => {
          const e = await queries[0]!.awaitTermination(5_000).then(() => undefined, (x: unknown) => x as Error & { code?: string });
          expect(e, `parallelism ${p}`).toBeDefined();
          expect(e!.name).toBe('WeirError');
          expect(e!.code).toBe('RUNTIME');
          messages.push(e!.message);
        }),
      ]);
    }
    expect(messages).toEqual(['value 2 is out of range', 'value 2 is out of range']);
  });

  it('imports a CREATE FUNCTION module again in each worker: the query runs on threads, results as inline', async () => {
    const ddl = `${DDL}
      CREATE TABLE w (g INT, wa DOUBLE) WITH ('connector' = 'memory');
      CREATE FUNCTION wavg AS '${path.join(FIXTURES, 'wavg.mjs')}';`;
    const input = rows(60);
    const expected = new Map<number, number>();
    for (let g = 0; g < 7; g++) {
      const xs = input.filter((r) => r.k === g).map((r) => Number(r.s));
      expected.set(g, xs.reduce((a, x) => a + x * x, 0) / xs.reduce((a, x) => a + x, 0));
    }
    await testStream(`${ddl} INSERT INTO w SELECT k, wavg(CAST(s AS INT), CAST(s AS INT)) FROM l GROUP BY k;`, [
      addData('l', input.slice(0, 25)),
      addData('l', input.slice(25)),
      checkProgress((last) => expect(last.parallelism).toMatchObject({ tasks: 2, threads: 2 })),
      execute(({ engine }) => {
        const got = engine.output('w').rows() as { g: number; wa: number }[];
        expect(got.length).toBe(7);
        for (const r of got) expect(r.wa).toBeCloseTo(expected.get(r.g)!, 9);
      }),
    ]);
  });

  it('runs inline, and says why, when the query calls a function registered in this process', async () => {
    const { Engine } = await import('../../src/index.js');
    const engine = new Engine({ memory: { changelog: 'all' } });
    try {
      engine.registerFunction('plus_one', (x: number) => x + 1, { returns: 'INT' });
      const [q] = await engine.execute(`${DDL} INSERT INTO o SELECT plus_one(k), COUNT(*) FROM l GROUP BY plus_one(k);`);
      engine.input('l').push(rows(20));
      await q!.processAllAvailable();
      expect(q!.lastProgress!.parallelism).toMatchObject({ tasks: 2, threads: 0, inlineBecause: expect.stringMatching(/plus_one/) });
      expect(engine.output('o').rows().length).toBe(7);
    } finally {
      await engine.stop();
    }
  });
});
