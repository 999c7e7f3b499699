/**
 * Subqueries and set operations against the batch oracle: generated rows for two tables, pushed in
 * any split into batches and interleaving of the tables, give DuckDB's result over all the rows at
 * once (the memory sink applies retractions). Covers IN / NOT IN (with NULLs: three-valued logic),
 * EXISTS / NOT EXISTS correlated on equality and with a residual, uncorrelated scalar subqueries,
 * UNION (distinct), INTERSECT [ALL] and EXCEPT [ALL], and IN over an updating (aggregated) subquery.
 * Seeds print on failure; replay with the env var of test/support/property.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../support/property.js';
import { duckTwoTables, endTwoTables, pushTwoTables, type TwoTableBatch, type TwoTableRow } from '../support/two-tables.js';
import { sortRows, testStream, type Action, type Row } from '../support/stream-test.js';

type In = TwoTableRow;
type Batch = TwoTableBatch<In>;

const DDL = `
  CREATE TABLE l (k INT, a INT) WITH ('connector' = 'memory');
  CREATE TABLE r (k INT, b INT) WITH ('connector' = 'memory');
  CREATE TABLE o1 (k INT, a INT) WITH ('connector' = 'memory');
`;

const duck = (batches: readonly Batch[], sql: string): Promise<Row[]> => duckTwoTables(batches, sql, false);
const push = (b: Batch): Action => pushTwoTables(b, false);

const row: fc.Arbitrary<In> = fc.record({
  k: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 6 }),
  v: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 8 }),
});
const batches: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({ table: fc.constantFrom('l' as const, 'r' as const), rows: fc.array(row, { minLength: 1, maxLength: 6 }) }),
  { minLength: 1, maxLength: 10 },
);

/** [Weir SQL, DuckDB SQL when it differs]; each query's columns are (k, a) */
const QUERIES: Record<string, readonly [string, string?]> = {
  in: ['SELECT k, a FROM l WHERE a IN (SELECT b FROM r)'],
  inFiltered: ['SELECT k, a FROM l WHERE k > 0 AND a IN (SELECT b FROM r WHERE k < 3)'],
  notIn: ['SELECT k, a FROM l WHERE a NOT IN (SELECT b FROM r)'],
  // the subquery updates and yields NULLs (MAX over a key whose values are all NULL), which come and go
  notInUpdating: ['SELECT k, a FROM l WHERE a NOT IN (SELECT MAX(b) FROM r GROUP BY k)'],
  notInUpdatingCount: ['SELECT k, a FROM l WHERE k NOT IN (SELECT CAST(COUNT(b) AS INT) - 1 FROM r GROUP BY k HAVING MAX(b) IS NOT NULL OR COUNT(*) > 1)'],
  notInNotNull: ['SELECT k, a FROM l WHERE a IS NOT NULL AND a NOT IN (SELECT b FROM r WHERE b IS NOT NULL)'],
  notNotIn: ['SELECT k, a FROM l WHERE NOT (a IN (SELECT b FROM r))'],
  inCorrelated: ['SELECT k, a FROM l WHERE a IN (SELECT b FROM r WHERE r.k = l.k)'],
  notInCorrelated: ['SELECT k, a FROM l WHERE a NOT IN (SELECT b + 1 FROM r WHERE r.k = l.k AND b < 4)'],
  exists: ['SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k)'],
  existsResidual: ['SELECT k, a FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.b > l.a AND r.b < 5)'],
  notExists: ['SELECT k, a FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.k = l.k)'],
  notExistsResidual: ['SELECT k, a FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE k = l.k AND b >= a)'],
  // a global aggregation has its row even over no input: EXISTS is always TRUE, NOT EXISTS FALSE
  existsAggregate: ['SELECT k, a FROM l WHERE EXISTS (SELECT COUNT(*) FROM r WHERE b > 3)'],
  notExistsAggregate: ['SELECT k, a FROM l WHERE NOT EXISTS (SELECT MAX(b) FROM r)'],
  existsUncorrelated: ['SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE b = 3)'],
  // the subquery updates: an aggregation's rows are retracted and replaced
  inAggregate: ['SELECT k, a FROM l WHERE a IN (SELECT CAST(COUNT(*) AS INT) FROM r GROUP BY k)'],
  // a Top-N over an anti join sees its retractions (it keeps every row, not only the top ones)
  topNOverAnti: ['SELECT k, a FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.k = l.k)) WHERE rn <= 1'],
  // uncorrelated scalar subqueries: a join with the one (updating) row of a global aggregation
  scalarWhere: ['SELECT k, a FROM l WHERE a >= (SELECT MAX(b) FROM r) - 1'],
  scalarSelect: ['SELECT k, a + (SELECT CAST(COUNT(*) AS INT) FROM r) AS a FROM l'],
  union: ['SELECT k, a FROM l UNION SELECT k, b FROM r'],
  intersect: ['SELECT k, a FROM l INTERSECT SELECT k, b FROM r'],
  except: ['SELECT k, a FROM l EXCEPT SELECT k, b FROM r'],
  // bag semantics: a row m times on the left and n on the right, min(m, n) or max(m - n, 0) times
  intersectAll: ['SELECT k, a FROM l INTERSECT ALL SELECT k, b FROM r'],
  exceptAll: ['SELECT k, a FROM l EXCEPT ALL SELECT k, b FROM r'],
  // over an updating input: a changed count retracts and inserts copies
  exceptAllUpdating: ['SELECT k, CAST(COUNT(*) AS INT) AS a FROM l GROUP BY k EXCEPT ALL SELECT k, b FROM r'],
};

describe('subqueries and set operations: any batch split gives DuckDB\'s final result', () => {
  it.each(Object.entries(QUERIES))('%s', async (_name, [sql, duckSql]) => {
    await fc.assert(fc.asyncProperty(batches, async (input) => {
      const expected = await duck(input, duckSql ?? sql);
      const env = await testStream(`${DDL} INSERT INTO o1 ${sql};`, [...input.map(push), endTwoTables]);
      expect(sortRows(env.engine.output('o1').rows())).toEqual(sortRows(expected));
    }), fcParams({ numRuns: 10 }));
  });
});
