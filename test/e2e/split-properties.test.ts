/**
 * Property: however the input is split into micro-batches, the final result equals DuckDB over all
 * rows as one batch. Rows go through the memory source, one push per batch (empty batches
 * included), with processAllAvailable after each; the memory sink's result table is compared.
 */
import fc from 'fast-check';
import { fcParams } from '../support/property.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { batchSplits, replayInBatches } from '../support/batch-split.js';
import { Oracle, type OracleColumn, type Row } from '../support/oracle.js';

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' },
  { name: 'g', type: 'INT' },
  { name: 'v', type: 'INT' },
  { name: 'x', type: 'DOUBLE' },
];

const QUERIES = [
  {
    name: 'filtered',
    columns: 'k STRING, v2 INT, x DOUBLE, big BOOLEAN',
    select: `SELECT k, v * 2 AS v2, x, x > 10 AS big FROM t WHERE v > 0 OR k IS NULL OR g IN (1, 3)`,
  },
  {
    name: 'grouped',
    columns: 'k STRING, c BIGINT, sv BIGINT, mn DOUBLE, mx DOUBLE, dg BIGINT, cp BIGINT',
    select: `SELECT k, COUNT(*) AS c, SUM(v) AS sv, MIN(x) AS mn, MAX(x) AS mx, COUNT(DISTINCT g) AS dg,
        COUNT(v) FILTER (WHERE v > 0) AS cp
      FROM t GROUP BY k`,
  },
  {
    name: 'having',
    columns: 'k STRING, g INT, sv BIGINT',
    select: `SELECT k, g, SUM(v) AS sv FROM t GROUP BY k, g HAVING SUM(v) > 5`,
  },
  {
    name: 'global',
    columns: 'c BIGINT, sv BIGINT, ax DOUBLE, mk STRING, dk BIGINT',
    select: `SELECT COUNT(*) AS c, SUM(v) AS sv, AVG(x) AS ax, MAX(k) AS mk, COUNT(DISTINCT k) AS dk FROM t`,
  },
] as const;

const rowArb: fc.Arbitrary<Row> = fc.record({
  k: fc.option(fc.constantFrom('a', 'b', 'c', 'B', ''), { freq: 6 }),
  g: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 6 }),
  v: fc.option(fc.integer({ min: -20, max: 20 }), { freq: 6 }),
  x: fc.option(fc.integer({ min: -2000, max: 2000 }).map((i) => i / 100), { freq: 6 }),
});

/** Rows and the sizes of consecutive batches (some empty) that cover them. */
const splitArb = batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 200 }), 12);

describe('any split of the input into batches gives the batch answer', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('for a filter, a grouped aggregate, a HAVING and a global aggregate', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      // DuckDB runs the very SELECT Weir runs
      await replayInBatches(oracle, INPUT, QUERIES.map((q) => ({ ...q, weir: q.select, duck: q.select })), split);
    }), fcParams({ numRuns: 25 }));
  });
});
