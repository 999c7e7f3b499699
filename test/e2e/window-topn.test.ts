/**
 * Window Top-N and window deduplication (a Top-N partitioned by an event-time window's bounds), as
 * Flink's window rank: each window's ranking is emitted once, as inserts, when the watermark closes
 * the window, and its state is dropped; a row of a closed window is late. Append mode works; the
 * answer equals DuckDB's ROW_NUMBER() per window however the input is split into batches.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { fcParams } from '../support/property.js';
import { batchSplits } from '../support/batch-split.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, checkAnswer, checkProgress, execute, stopAndRestart, testStream } from '../support/stream-test.js';

afterEach(removeTempDirs);

const H = 3_600_000;
const M = 60_000;
const at = (h: number, m: number): number => h * H + m * M;

const ISSUE = `
  CREATE TABLE t (foo INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '5' MINUTE) WITH ('connector' = 'memory');
  CREATE TABLE best (window_start TIMESTAMP(3), foo INT) WITH ('connector' = 'memory');
  INSERT INTO best SELECT window_start, foo FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY foo) AS rn
    FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(tm), INTERVAL '1' HOUR))) WHERE rn <= 1;`;

describe('window Top-N', () => {
  it("emits a window's top rows once, when the watermark closes it (the issue's example)", async () => {
    await testStream(ISSUE, [
      addData('t', [
        { foo: 1, tm: at(16, 51) }, { foo: 8, tm: at(16, 56) }, { foo: 3, tm: at(17, 30) }, { foo: 4, tm: at(17, 59) }, { foo: 6, tm: at(18, 1) },
      ]),
      // watermark 17:56: the 16:00 window is closed, the 17:00 one not yet
      checkAnswer('best', [{ window_start: at(16, 0), foo: 1 }]),
      addData('t', [{ foo: 7, tm: at(18, 10) }]),
      // watermark 18:05 closes 17:00; 18:00 stays open, so (18:00, 6) is not emitted
      checkAnswer('best', [{ window_start: at(16, 0), foo: 1 }, { window_start: at(17, 0), foo: 3 }]),
      execute((env) => {
        const kinds = env.engine.output('best').changes().map((c) => c.kind);
        expect(kinds).toEqual(['insert', 'insert']);
      }),
      checkProgress((p) => {
        const op = p.stateOperators[0]!;
        // only the 18:00 window's top row is kept
        expect(op.numRowsTotal).toBe(1);
        expect(op.numOpenWindows).toBe(1);
        expect(op.oldestOpenWindowEnd).toBe(new Date(at(19, 0)).toISOString());
      }),
      // a row of the closed 17:00 window is late: dropped and counted, nothing emitted
      addData('t', [{ foo: 0, tm: at(17, 10) }]),
      checkAnswer('best', [{ window_start: at(16, 0), foo: 1 }, { window_start: at(17, 0), foo: 3 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)),
    ]);
  });

  it('runs in append mode and says so in EXPLAIN', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const text = await new Engine().explain(ISSUE.replace('INSERT INTO best', "SET 'output-mode' = 'append'; INSERT INTO best"));
    expect(text).toMatch(/\n {2}WindowTopN\(partition=\[window_start#2, window_end#3\], order=\[foo#0 ASC\], rows<=1, rank=hidden, closes=window_end#3\) \[operator 0\]\n/);
    const [q] = await engine.execute(ISSUE.replace('INSERT INTO best', "SET 'output-mode' = 'append'; INSERT INTO best"));
    engine.input('t').push([{ foo: 2, tm: at(1, 0) }, { foo: 1, tm: at(1, 30) }]);
    engine.input('t').end();
    await q!.awaitTermination(10_000);
    expect(engine.output('best').rows()).toEqual([{ window_start: at(1, 0), foo: 1 }]);
    await engine.stop();
  });

  it('deduplicates per window: the first and the last row of each key by event time', async () => {
    const sql = `
      CREATE TABLE t (k STRING, v INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '1' MINUTE) WITH ('connector' = 'memory');
      CREATE TABLE firsts (k STRING, v INT, window_start TIMESTAMP(3)) WITH ('connector' = 'memory');
      CREATE TABLE lasts (k STRING, v INT, window_start TIMESTAMP(3)) WITH ('connector' = 'memory');
      INSERT INTO firsts SELECT k, v, window_start FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY tm ASC) AS rn
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(tm), INTERVAL '10' MINUTE))) WHERE rn = 1;
      INSERT INTO lasts SELECT k, v, window_start FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY tm DESC) AS rn
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(tm), INTERVAL '10' MINUTE))) WHERE rn = 1;`;
    await testStream(sql, [
      addData('t', [{ k: 'a', v: 1, tm: at(0, 1) }, { k: 'a', v: 2, tm: at(0, 5) }, { k: 'b', v: 3, tm: at(0, 2) }]),
      // watermark 0:04: a's row at 0:03 is in time, but not its first; 0:12 moves the watermark to 0:11
      checkAnswer('firsts', []),
      addData('t', [{ k: 'a', v: 4, tm: at(0, 3) }, { k: 'a', v: 5, tm: at(0, 12) }]),
      checkAnswer('firsts', [{ k: 'a', v: 1, window_start: 0 }, { k: 'b', v: 3, window_start: 0 }]),
      addData('t', [{ k: 'b', v: 6, tm: at(0, 25) }]),
      checkAnswer('firsts', [{ k: 'a', v: 1, window_start: 0 }, { k: 'b', v: 3, window_start: 0 }, { k: 'a', v: 5, window_start: at(0, 10) }]),
      checkAnswer('lasts', [{ k: 'a', v: 2, window_start: 0 }, { k: 'b', v: 3, window_start: 0 }, { k: 'a', v: 5, window_start: at(0, 10) }]),
    ]);
  });

  it('ranks the results of a window aggregation, window by window', async () => {
    const sql = `
      CREATE TABLE t (k STRING, v INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm) WITH ('connector' = 'memory');
      CREATE TABLE top (window_start TIMESTAMP(3), k STRING, n BIGINT, rn BIGINT) WITH ('connector' = 'memory');
      INSERT INTO top SELECT window_start, k, n, rn FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, k) AS rn FROM (
          SELECT window_start, window_end, k, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(tm), INTERVAL '1' MINUTE))
          GROUP BY window_start, window_end, k)) WHERE rn <= 2;`;
    await testStream(sql, [
      addData('t', [
        { k: 'a', v: 1, tm: 1000 }, { k: 'b', v: 1, tm: 2000 }, { k: 'b', v: 1, tm: 3000 }, { k: 'c', v: 1, tm: 4000 },
        { k: 'c', v: 1, tm: 5000 }, { k: 'c', v: 1, tm: 6000 },
      ]),
      checkAnswer('top', []),
      addData('t', [{ k: 'a', v: 1, tm: 61_000 }]),
      checkAnswer('top', [{ window_start: 0, k: 'c', n: 3, rn: 1 }, { window_start: 0, k: 'b', n: 2, rn: 2 }]),
    ]);
  });

  it('keeps open windows across a restart, and emits them once', async () => {
    await testStream(ISSUE, [
      addData('t', [{ foo: 5, tm: at(10, 1) }, { foo: 3, tm: at(10, 2) }]),
      stopAndRestart(),
      addData('t', [{ foo: 4, tm: at(10, 3) }]),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', [{ foo: 9, tm: at(11, 30) }]),
      checkAnswer('best', [{ window_start: at(10, 0), foo: 3 }]),
    ], { checkpointDir: tempDir('window-topn-') });
  });
});

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'v', type: 'INT' }, { name: 'ts', type: 'TIMESTAMP(3)' }, { name: 'ord', type: 'INT' },
];

/** Rows whose event time never falls behind the watermark (ts − 2 s): out of order by less than that. */
const rowsArb = fc.array(fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 8 }),
  v: fc.option(fc.integer({ min: -5, max: 5 }), { freq: 8 }),
  step: fc.integer({ min: 0, max: 1500 }),
  jitter: fc.integer({ min: 0, max: 1900 }),
}), { minLength: 1, maxLength: 150 }).map((raw): Row[] => {
  let t = 0;
  return raw.map((r, ord) => {
    t += r.step;
    return { k: r.k, v: r.v, ts: Math.max(0, t - r.jitter), ord };
  });
});

const QUERIES = [
  {
    name: 'top2',
    weir: `SELECT window_start, k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn
      FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))) WHERE rn <= 2`,
    duck: `SELECT window_start, k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC NULLS LAST, ord) AS rn
      FROM (SELECT *, time_bucket(INTERVAL 5 SECOND, ts) AS window_start, time_bucket(INTERVAL 5 SECOND, ts) + INTERVAL 5 SECOND AS window_end FROM t)) WHERE rn <= 2`,
    columns: 'window_start TIMESTAMP(3), k STRING, v INT, ord INT, rn BIGINT',
  },
  {
    name: 'hop_first',
    weir: `SELECT window_end, k, ord FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts) AS rn
      FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND))) WHERE rn = 1`,
    duck: `SELECT window_end, k, ord FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_end, k ORDER BY ts, ord) AS rn FROM (
      SELECT t.*, e AS window_end FROM t, (SELECT unnest(range(0, 400)) * INTERVAL 2 SECOND + TIMESTAMP '1970-01-01' AS e) w
      WHERE t.ts >= e - INTERVAL 6 SECOND AND t.ts < e)) WHERE rn = 1`,
    columns: 'window_end TIMESTAMP(3), k STRING, ord INT',
  },
] as const;

describe('window Top-N against DuckDB', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('gives the batch answer however the input is split into batches', async () => {
    await fc.assert(fc.asyncProperty(batchSplits(rowsArb, 8), async (split) => {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        const running = await engine.execute([
          `CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), ord INT, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'memory');`,
          "SET 'output-mode' = 'append';",
          ...QUERIES.map((q) => `CREATE TABLE out_${q.name} (${q.columns}) WITH ('connector' = 'memory'); INSERT INTO out_${q.name} ${q.weir};`),
        ].join('\n'));
        for (const b of split.batches) {
          engine.input('t').push(b);
          for (const q of running) await q.processAllAvailable();
        }
        engine.input('t').end();
        for (const q of running) await q.awaitTermination(10_000);
        for (const q of running) expect(q.recentProgress.reduce((n, p) => n + p.stateOperators[0]!.numRowsDroppedByWatermark, 0)).toBe(0);
        await oracle.createTable('t', INPUT, split.rows);
        for (const q of QUERIES) expectSameRows(engine.output(`out_${q.name}`).rows(), await oracle.query(q.duck), q.name);
      } finally {
        await engine.stop();
      }
    }), fcParams({ numRuns: 25 }));
  });
});
