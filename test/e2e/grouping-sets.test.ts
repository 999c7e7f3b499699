/**
 * GROUP BY GROUPING SETS / ROLLUP / CUBE with GROUPING(): however the input is split into
 * micro-batches, the final result equals DuckDB's over all rows as one batch (fast-check prints its
 * seed). Also: an updating input (retractions expand like rows), restart, EXPLAIN, errors.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import type { WeirError } from '../../src/common/errors.js';
import { fcParams } from '../support/property.js';
import { batchSplits, replayInBatches } from '../support/batch-split.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, checkAnswer, stopAndRestart, testStream } from '../support/stream-test.js';

afterEach(removeTempDirs);

const INPUT: readonly OracleColumn[] = [
  { name: 'a', type: 'STRING' }, { name: 'b', type: 'INT' }, { name: 'v', type: 'INT' }, { name: 'ord', type: 'INT' },
];

const same = (name: string, columns: string, sql: string) => ({ name, columns, weir: sql, duck: sql });

const QUERIES = [
  same('sets', 'a STRING, b INT, n BIGINT, s BIGINT, g BIGINT',
    'SELECT a, b, COUNT(*) AS n, SUM(v) AS s, GROUPING(a, b) AS g FROM t GROUP BY GROUPING SETS ((a, b), (a), ())'),
  same('rollup', 'a STRING, b INT, n BIGINT, mx INT, ga BIGINT, gb BIGINT',
    'SELECT a, b, COUNT(v) AS n, MAX(v) AS mx, GROUPING(a) AS ga, GROUPING(b) AS gb FROM t GROUP BY ROLLUP (a, b)'),
  same('cube', 'a STRING, b INT, s BIGINT, g BIGINT',
    'SELECT a, b, SUM(v) AS s, GROUPING_ID(a, b) AS g FROM t GROUP BY CUBE (a, b)'),
  same('mixed', 'a STRING, b INT, v INT, n BIGINT',
    'SELECT a, b, v, COUNT(*) AS n FROM t GROUP BY a, GROUPING SETS ((b), (v))'),
  same('having', 'b INT, s BIGINT',
    'SELECT b, SUM(v) AS s FROM t GROUP BY ROLLUP (b) HAVING COUNT(*) > 1'),
  same('duplicate_sets', 'a STRING, n BIGINT',
    'SELECT a, COUNT(*) AS n FROM t GROUP BY GROUPING SETS ((a), (a), ())'),
  // over an updating input: rows of the inner aggregation retract and expand again
  same('over_updates', 'a STRING, m BIGINT, n BIGINT',
    'SELECT a, m, COUNT(*) AS n FROM (SELECT a, b, MAX(v) AS m FROM t GROUP BY a, b) GROUP BY ROLLUP (a, m)'),
] as const;

const rowArb = fc.record({
  a: fc.option(fc.constantFrom('x', 'y', 'z'), { freq: 6 }),
  b: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 6 }),
  v: fc.option(fc.integer({ min: -5, max: 5 }), { freq: 6 }),
});
const splitArb = batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 80 }).map((raw): Row[] => raw.map((r, ord) => ({ ...r, ord }))), 8);

describe('GROUPING SETS, ROLLUP and CUBE against DuckDB', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('give the batch answer however the input is split', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      await replayInBatches(oracle, INPUT, QUERIES, split);
    }), fcParams({ numRuns: 20 }));
  });
});

describe('GROUPING SETS in a window aggregation (window TVF)', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  const rowsArb = fc.array(fc.record({
    supplier: fc.option(fc.constantFrom('s1', 's2'), { freq: 6 }), item: fc.constantFrom('A', 'B', 'C'),
    price: fc.integer({ min: 1, max: 9 }), step: fc.integer({ min: 0, max: 1500 }),
  }), { minLength: 1, maxLength: 80 }).map((raw): Row[] => {
    let t = 0;
    return raw.map((r, ord) => ({ supplier: r.supplier, item: r.item, price: r.price, ts: (t += r.step), ord }));
  });
  const COLS: readonly OracleColumn[] = [
    { name: 'supplier', type: 'STRING' }, { name: 'item', type: 'STRING' }, { name: 'price', type: 'INT' },
    { name: 'ts', type: 'TIMESTAMP(3)' }, { name: 'ord', type: 'INT' },
  ];

  it("emits each window's sets once at its close, append-only, equal to DuckDB (Flink's docs example)", async () => {
    await fc.assert(fc.asyncProperty(batchSplits(rowsArb, 6), async (split) => {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        const [q] = await engine.execute(`
          CREATE TABLE t (supplier STRING, item STRING, price INT, ts TIMESTAMP(3), ord INT, WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
          CREATE TABLE out (window_start TIMESTAMP(3), supplier STRING, item STRING, s BIGINT, g BIGINT) WITH ('connector' = 'memory');
          SET 'output-mode' = 'append';
          INSERT INTO out SELECT window_start, supplier, item, SUM(price) AS s, GROUPING(supplier, item) AS g
            FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
            GROUP BY window_start, window_end, GROUPING SETS ((supplier, item), (supplier), ());`);
        for (const b of split.batches) {
          engine.input('t').push(b);
          await q!.processAllAvailable();
        }
        engine.input('t').end();
        await q!.awaitTermination(10_000);
        expect(engine.output('out').changes().every((c) => c.kind === 'insert')).toBe(true);
        await oracle.createTable('t', COLS, split.rows);
        expectSameRows(engine.output('out').rows(), await oracle.query(`
          SELECT time_bucket(INTERVAL 5 SECOND, ts) AS window_start, supplier, item, SUM(price) AS s, GROUPING(supplier, item) AS g
          FROM t GROUP BY GROUPING SETS ((1, supplier, item), (1, supplier), (1))`), 'window grouping sets');
      } finally {
        await engine.stop();
      }
    }), fcParams({ numRuns: 12 }));
  });
});

describe('GROUPING SETS', () => {
  const SQL = `
    CREATE TABLE t (a STRING, v INT) WITH ('connector' = 'memory');
    CREATE TABLE out (a STRING, s BIGINT, g BIGINT) WITH ('connector' = 'memory');
    INSERT INTO out SELECT a, SUM(v) AS s, GROUPING(a) AS g FROM t GROUP BY ROLLUP (a);`;

  it('keeps the state of every set across a restart', async () => {
    await testStream(SQL, [
      addData('t', [{ a: 'x', v: 1 }, { a: null, v: 2 }]),
      stopAndRestart(),
      addData('t', [{ a: 'x', v: 3 }]),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', [{ a: 'y', v: 4 }]),
      // the NULL key group (a IS NULL) and the grand total (a left out) are two rows
      checkAnswer('out', [{ a: 'x', s: 4, g: 0 }, { a: null, s: 2, g: 0 }, { a: 'y', s: 4, g: 0 }, { a: null, s: 10, g: 1 }]),
    ], { checkpointDir: tempDir('grouping-sets-') });
  });

  it('shows the expansion in EXPLAIN: one projection per set over the one input, one aggregation', async () => {
    const text = await new Engine().explain(SQL);
    expect(text).toContain('  Aggregate(keys=[a=$key0#1, $grouping_set#2], aggs=[s=sum(v#0)], mode=update) [operator 0]\n    Union(2 inputs)\n'
      + '      Project(v#1, $key0=a#0, $grouping_set=0)\n');
    expect(text).toContain('      Project(v#0, $key0=NULL, $grouping_set=1)\n');
  });

  const errorOf = async (sql: string): Promise<string> => {
    try {
      await new Engine().explain(`CREATE TABLE t (a STRING, v INT) WITH ('connector' = 'memory');\n${sql}`);
    } catch (e) {
      return (e as WeirError).format();
    }
    throw new Error('no error');
  };

  it('refuses GROUPING of a column that is not a grouping key, at its position', async () => {
    expect(await errorOf('SELECT a, GROUPING(v) FROM t GROUP BY ROLLUP (a)'))
      .toBe('<sql>:2:20: the argument of GROUPING must be a grouping expression of GROUP BY');
  });

  it('refuses a ROLLUP nested in GROUPING SETS and a group window with sets as not supported yet', async () => {
    expect(await errorOf('SELECT a FROM t GROUP BY GROUPING SETS (ROLLUP (a), ())')).toMatch(/^<sql>:2:41: ROLLUP \(...\) nested .* not supported yet/);
  });
});
