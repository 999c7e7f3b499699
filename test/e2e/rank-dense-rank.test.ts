/**
 * RANK() and DENSE_RANK() Top-N: tied rows share a rank (so N ranks may hold more than N rows),
 * retractions from an updating input correct the ranking, and a window Top-N emits each window's
 * ranking once at its close. Every final result equals DuckDB's over all rows as one batch, however
 * the input is split into micro-batches (fast-check prints the seed; replay it with the env var of
 * test/support/property.ts).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { fcParams } from '../support/property.js';
import { batchSplits, replayInBatches } from '../support/batch-split.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, checkAnswer, stopAndRestart, testStream } from '../support/stream-test.js';

afterEach(removeTempDirs);

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'v', type: 'INT' }, { name: 'ts', type: 'TIMESTAMP(3)' }, { name: 'ord', type: 'INT' },
];

const QUERIES = [
  {
    name: 'rank2',
    columns: 'k STRING, v INT, ord INT, rk BIGINT',
    weir: `SELECT k, v, ord, rk FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v DESC) AS rk FROM t) WHERE rk <= 2`,
    duck: `SELECT k, v, ord, rk FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v DESC NULLS LAST) AS rk FROM t) WHERE rk <= 2`,
  },
  {
    name: 'dense3',
    columns: 'k STRING, v INT, ord INT, rk BIGINT',
    weir: `SELECT k, v, ord, rk FROM (SELECT *, DENSE_RANK() OVER (PARTITION BY k ORDER BY v ASC) AS rk FROM t) WHERE rk <= 3`,
    duck: `SELECT k, v, ord, rk FROM (SELECT *, DENSE_RANK() OVER (PARTITION BY k ORDER BY v ASC NULLS FIRST) AS rk FROM t) WHERE rk <= 3`,
  },
  {
    name: 'rank_middle_hidden',
    columns: 'k STRING, v INT, ord INT',
    weir: `SELECT k, v, ord FROM (SELECT *, RANK() OVER (ORDER BY v DESC NULLS LAST) AS rk FROM t) WHERE rk BETWEEN 2 AND 4`,
    duck: `SELECT k, v, ord FROM (SELECT *, RANK() OVER (ORDER BY v DESC NULLS LAST) AS rk FROM t) WHERE rk BETWEEN 2 AND 4`,
  },
  {
    // over an updating aggregation: every group is kept, sums go up and ties form and break
    name: 'dense_sums',
    columns: 'k STRING, total BIGINT, rk BIGINT',
    weir: `SELECT * FROM (SELECT k, total, DENSE_RANK() OVER (ORDER BY total DESC NULLS LAST) AS rk
      FROM (SELECT k, SUM(v) AS total FROM t GROUP BY k)) WHERE rk <= 2`,
    duck: `SELECT * FROM (SELECT k, total, DENSE_RANK() OVER (ORDER BY total DESC NULLS LAST) AS rk
      FROM (SELECT k, SUM(v) AS total FROM t GROUP BY k)) WHERE rk <= 2`,
  },
  {
    name: 'rank_counts',
    columns: 'v INT, n BIGINT, rk BIGINT',
    weir: `SELECT * FROM (SELECT v, n, RANK() OVER (ORDER BY n DESC) AS rk FROM (SELECT v, COUNT(*) AS n FROM t GROUP BY v)) WHERE rk <= 2`,
    duck: `SELECT * FROM (SELECT v, n, RANK() OVER (ORDER BY n DESC) AS rk FROM (SELECT v, COUNT(*) AS n FROM t GROUP BY v)) WHERE rk <= 2`,
  },
] as const;

const rowArb = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 8 }),
  v: fc.option(fc.integer({ min: -3, max: 3 }), { freq: 8 }),
  ts: fc.option(fc.integer({ min: 0, max: 20 }).map((s) => s * 1000), { freq: 8 }),
});
const splitArb = batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 100 }).map((raw): Row[] => raw.map((r, ord) => ({ ...r, ord }))), 10);

describe('RANK and DENSE_RANK Top-N against DuckDB', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('give the batch answer however the input is split (ties, ranks m..n, over an updating aggregation)', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      await replayInBatches(oracle, INPUT, QUERIES, split);
    }), fcParams({ numRuns: 25 }));
  });

  it('window RANK: each window ranked once, at its close, append-only', async () => {
    const rowsArb = fc.array(fc.record({
      k: fc.constantFrom('a', 'b'), v: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 8 }), step: fc.integer({ min: 0, max: 1500 }),
    }), { minLength: 1, maxLength: 120 }).map((raw): Row[] => {
      let t = 0;
      return raw.map((r, ord) => ({ k: r.k, v: r.v, ts: (t += r.step), ord }));
    });
    const weir = `SELECT window_start, k, v, ord, rk FROM (SELECT *, RANK() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rk
      FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))) WHERE rk <= 2`;
    const duck = `SELECT window_start, k, v, ord, rk FROM (SELECT *, RANK() OVER (PARTITION BY window_start, k ORDER BY v DESC NULLS LAST) AS rk
      FROM (SELECT *, time_bucket(INTERVAL 5 SECOND, ts) AS window_start FROM t)) WHERE rk <= 2`;
    await fc.assert(fc.asyncProperty(batchSplits(rowsArb, 6), async (split) => {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        const [q] = await engine.execute(`
          CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), ord INT, WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
          CREATE TABLE out (window_start TIMESTAMP(3), k STRING, v INT, ord INT, rk BIGINT) WITH ('connector' = 'memory');
          SET 'output-mode' = 'append';
          INSERT INTO out ${weir};`);
        for (const b of split.batches) {
          engine.input('t').push(b);
          await q!.processAllAvailable();
        }
        engine.input('t').end();
        await q!.awaitTermination(10_000);
        await oracle.createTable('t', INPUT, split.rows);
        expectSameRows(engine.output('out').rows(), await oracle.query(duck), 'window rank');
      } finally {
        await engine.stop();
      }
    }), fcParams({ numRuns: 15 }));
  });
});

describe('RANK Top-N', () => {
  const SQL = `
    CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
    CREATE TABLE best (k STRING, v INT, rk BIGINT) WITH ('connector' = 'memory');
    INSERT INTO best SELECT k, v, rk FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v DESC) AS rk FROM t) WHERE rk <= 2;`;

  it('keeps every row tied within the top ranks, and pushes ranks down past a tie', async () => {
    await testStream(SQL, [
      addData('t', [{ k: 'a', v: 5 }, { k: 'a', v: 5 }, { k: 'a', v: 5 }]),
      checkAnswer('best', [{ k: 'a', v: 5, rk: 1 }, { k: 'a', v: 5, rk: 1 }, { k: 'a', v: 5, rk: 1 }]),
      addData('t', [{ k: 'a', v: 9 }]),
      // 9 ranks 1, the three 5s rank 2
      checkAnswer('best', [{ k: 'a', v: 9, rk: 1 }, { k: 'a', v: 5, rk: 2 }, { k: 'a', v: 5, rk: 2 }, { k: 'a', v: 5, rk: 2 }]),
      addData('t', [{ k: 'a', v: 9 }]),
      // two 9s at 1, the 5s at 3: gone
      checkAnswer('best', [{ k: 'a', v: 9, rk: 1 }, { k: 'a', v: 9, rk: 1 }]),
    ]);
  });

  it('restores its state after a restart', async () => {
    await testStream(SQL, [
      addData('t', [{ k: 'a', v: 3 }, { k: 'a', v: 1 }]),
      stopAndRestart(),
      addData('t', [{ k: 'a', v: 3 }]),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', [{ k: 'a', v: 2 }]),
      checkAnswer('best', [{ k: 'a', v: 3, rk: 1 }, { k: 'a', v: 3, rk: 1 }]),
    ], { checkpointDir: tempDir('rank-') });
  });

  it('names the function in EXPLAIN', async () => {
    const text = await new Engine().explain(SQL.replace('RANK()', 'DENSE_RANK()'));
    expect(text).toContain('TopN(partition=[k#0], order=[v#1 DESC], ranks<=2, rank=output, function=DENSE_RANK)');
  });

  it('is refused without a bound, naming the function', async () => {
    await expect(new Engine().explain(`CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'memory');
      SELECT k, RANK() OVER (ORDER BY v) AS rk FROM t`)).rejects.toThrow(/RANK\(\) OVER \(\.\.\.\) is only supported as a Top-N/);
  });
});
