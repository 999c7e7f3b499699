/**
 * Property: however the input is split into micro-batches (empty batches included), a Top-N's final
 * result equals DuckDB's ROW_NUMBER() over all rows as one batch.
 *
 * Ties: Weir ranks the earlier of two equal rows first. Rows are pushed in `ord` order, so DuckDB's
 * query breaks ties by `ord`, which gives exactly that answer; where the ORDER BY is Weir's own
 * (`ORDER BY v DESC`) the comparison therefore also checks the tie-breaking.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { expectSameRows, Oracle, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'v', type: 'INT' }, { name: 'ts', type: 'TIMESTAMP(3)' }, { name: 'ord', type: 'INT' },
];

const QUERIES = [
  {
    name: 'top3',
    columns: 'k STRING, v INT, ord INT, rn BIGINT',
    weir: `SELECT k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t) WHERE rn <= 3`,
    duck: `SELECT k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC NULLS LAST, ord) AS rn FROM t) WHERE rn <= 3`,
  },
  {
    name: 'middle',
    columns: 'k STRING, v INT, ord INT, rn BIGINT',
    weir: `SELECT k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v ASC NULLS LAST, ord DESC) AS rn FROM t)
      WHERE rn BETWEEN 2 AND 3 AND v IS NOT NULL`,
    duck: `SELECT k, v, ord, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v ASC NULLS LAST, ord DESC) AS rn FROM t)
      WHERE rn BETWEEN 2 AND 3 AND v IS NOT NULL`,
  },
  {
    name: 'latest',
    columns: 'k STRING, v INT, ts TIMESTAMP(3), ord INT',
    weir: `SELECT k, v, ts, ord FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1`,
    duck: `SELECT k, v, ts, ord FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC NULLS LAST, ord) AS rn FROM t) WHERE rn = 1`,
  },
  {
    name: 'global_top2',
    columns: 'k STRING, v INT, ord INT',
    weir: `SELECT k, v, ord FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY v DESC) AS rn FROM t) WHERE rn < 3`,
    duck: `SELECT k, v, ord FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY v DESC NULLS LAST, ord) AS rn FROM t) WHERE rn < 3`,
  },
  {
    // over an updating aggregation: the Top-N keeps every group and retracts as sums go up and down
    name: 'best_sums',
    columns: 'k STRING, total BIGINT, rn BIGINT',
    weir: `SELECT * FROM (SELECT k, total, ROW_NUMBER() OVER (ORDER BY total DESC NULLS LAST, k ASC NULLS FIRST) AS rn
      FROM (SELECT k, SUM(v) AS total FROM t GROUP BY k)) WHERE rn <= 2`,
    duck: `SELECT * FROM (SELECT k, total, ROW_NUMBER() OVER (ORDER BY total DESC NULLS LAST, k ASC NULLS FIRST) AS rn
      FROM (SELECT k, SUM(v) AS total FROM t GROUP BY k)) WHERE rn <= 2`,
  },
] as const;

const rowArb = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { freq: 8 }),
  v: fc.option(fc.integer({ min: -6, max: 6 }), { freq: 8 }),
  ts: fc.option(fc.integer({ min: 0, max: 20 }).map((s) => s * 1000), { freq: 8 }),
});

/** Rows (numbered by `ord`) and the sizes of consecutive batches (some empty) that cover them. */
const splitArb = fc.array(rowArb, { minLength: 1, maxLength: 120 }).chain((raw) => {
  const rows: Row[] = raw.map((r, ord) => ({ ...r, ord }));
  return fc.array(fc.integer({ min: 0, max: rows.length }), { maxLength: 10 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), rows.length];
    return { rows, batches: points.slice(1).map((p, i) => rows.slice(points[i]!, p)) };
  });
});

describe('Top-N: any split of the input into batches gives the batch answer', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('for top-N per partition, ranks m..n, keep-last deduplication, a global top-N and a Top-N over an aggregation', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async ({ rows, batches }) => {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        const queries = await engine.execute([
          `CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'memory');`,
          ...QUERIES.map((q) => `CREATE TABLE out_${q.name} (${q.columns}) WITH ('connector' = 'memory');
            INSERT INTO out_${q.name} ${q.weir};`),
        ].join('\n'));
        for (const b of batches) {
          engine.input('t').push(b);
          for (const q of queries) await q.processAllAvailable();
        }
        await oracle.createTable('t', INPUT, rows);
        for (const q of QUERIES) expectSameRows(engine.output(`out_${q.name}`).rows(), await oracle.query(q.duck), q.name);
        expect(queries[0]!.recentProgress.reduce((n, p) => n + p.numInputRows, 0)).toBe(rows.length);
      } finally {
        await engine.stop();
      }
    }), { numRuns: 30, seed: 20261202 });
  });
});
