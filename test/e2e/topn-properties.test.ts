/**
 * Property: however the input is split into micro-batches (empty batches included), a Top-N's final
 * result equals DuckDB's ROW_NUMBER() over all rows as one batch.
 *
 * Ties: Weir ranks the earlier of two equal rows first. Rows are pushed in `ord` order, so DuckDB's
 * query breaks ties by `ord`, which gives exactly that answer; where the ORDER BY is Weir's own
 * (`ORDER BY v DESC`) the comparison therefore also checks the tie-breaking.
 */
import fc from 'fast-check';
import { fcParams } from '../support/property.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { batchSplits, replayInBatches } from '../support/batch-split.js';
import { Oracle, type OracleColumn, type Row } from '../support/oracle.js';

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
  {
    // ORDER BY … LIMIT: a global Top-N
    name: 'order_limit',
    columns: 'k STRING, v INT, ord INT',
    weir: `SELECT k, v, ord FROM t ORDER BY v DESC LIMIT 3`,
    duck: `SELECT k, v, ord FROM t ORDER BY v DESC NULLS LAST, ord LIMIT 3`,
  },
  {
    name: 'order_offset',
    columns: 'k STRING, v INT, ord INT',
    weir: `SELECT k, v AS value, ord FROM t ORDER BY value ASC, 3 DESC LIMIT 2 OFFSET 2`,
    duck: `SELECT k, v, ord FROM t ORDER BY v ASC NULLS FIRST, ord DESC LIMIT 2 OFFSET 2`,
  },
  {
    // LIMIT alone: the first rows to arrive
    name: 'first_rows',
    columns: 'k STRING, ord INT',
    weir: `SELECT k, ord FROM t LIMIT 4`,
    duck: `SELECT k, ord FROM t ORDER BY ord LIMIT 4`,
  },
] as const;

const rowArb = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { freq: 8 }),
  v: fc.option(fc.integer({ min: -6, max: 6 }), { freq: 8 }),
  ts: fc.option(fc.integer({ min: 0, max: 20 }).map((s) => s * 1000), { freq: 8 }),
});

/** Rows (numbered by `ord`) and the sizes of consecutive batches (some empty) that cover them. */
const splitArb = batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 120 }).map((raw): Row[] => raw.map((r, ord) => ({ ...r, ord }))), 10);

describe('Top-N: any split of the input into batches gives the batch answer', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('for top-N per partition, ranks m..n, keep-last deduplication, a global top-N and a Top-N over an aggregation', async () => {
    // state.spill-threshold 1: every partition's pack waits in the spill file between batches and is
    // read back by the batch that reaches it
    await fc.assert(fc.asyncProperty(splitArb, fc.constantFrom(undefined, '1', '40'), async (split, spill) => {
      await replayInBatches(oracle, INPUT, QUERIES, split, spill === undefined ? undefined : { 'state.spill-threshold': spill });
    }), fcParams({ numRuns: 30 }));
  });
});
