/**
 * The stateful nodes subqueries and set operations plan (semi / anti joins, the scalar subquery's
 * single-row check, the set operations' aggregations) across restarts: a run stopped and restarted
 * on its checkpoint at a random point (sometimes re-running its last batch) ends with DuckDB's result
 * over all the rows. And a scalar subquery that yields a second row fails the query, naming it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { fcParams } from '../support/property.js';
import { duckTwoTables, endTwoTables, pushTwoTables, type TwoTableBatch, type TwoTableRow } from '../support/two-tables.js';
import { addData, checkAnswer, execute, expectFailure, sortRows, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';

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
  k: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 6 }),
  v: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 8 }),
});
const batches = fc.array(
  fc.record({ table: fc.constantFrom('l' as const, 'r' as const), rows: fc.array(row, { minLength: 1, maxLength: 5 }) }),
  { minLength: 2, maxLength: 8 },
);

const QUERIES: Record<string, string> = {
  semi: 'SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b >= l.a)',
  anti: 'SELECT k, a FROM l WHERE a NOT IN (SELECT b FROM r)',
  semiOverAggregate: 'SELECT k, a FROM l WHERE a IN (SELECT CAST(COUNT(*) AS INT) FROM r GROUP BY k)',
  scalar: 'SELECT k, a FROM l WHERE a >= (SELECT MAX(b) FROM r) - 2',
  intersect: 'SELECT k, a FROM l INTERSECT SELECT k, b FROM r',
  except: 'SELECT k, a FROM l EXCEPT SELECT k, b FROM r',
  intersectAll: 'SELECT k, a FROM l INTERSECT ALL SELECT k, b FROM r',
  exceptAll: 'SELECT k, a FROM l EXCEPT ALL SELECT k, b FROM r',
};

describe('subqueries and set operations across restarts: DuckDB\'s result', () => {
  it.each(Object.entries(QUERIES))('%s', async (_name, sql) => {
    await fc.assert(fc.asyncProperty(batches, fc.nat(), fc.boolean(), async (input, at, dropLastCommit) => {
      const cut = 1 + (at % (input.length - 1));
      const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-subq-'));
      try {
        const expected = await duck(input, sql);
        const env = await testStream(`${DDL} INSERT INTO o1 ${sql};`, [
          ...input.slice(0, cut).map(push),
          stopAndRestart({ dropLastCommit }),
          ...input.slice(cut).map(push),
        ], { checkpointDir });
        expect(sortRows(env.engine.output('o1').rows())).toEqual(sortRows(expected));
      } finally {
        rmSync(checkpointDir, { recursive: true, force: true });
      }
    }), fcParams({ numRuns: 6 }));
  });
});

describe('a scalar subquery with more than one row', () => {
  it('fails the query at run time, naming the subquery\'s position', async () => {
    await testStream(`${DDL}
      INSERT INTO o1 SELECT k, a FROM l WHERE a = (SELECT b FROM r);`, [
      addData('r', [{ k: 1, b: 1 }]),
      addData('l', [{ k: 1, a: 1 }, { k: 2, a: 2 }]),
      checkAnswer('o1', [{ k: 1, a: 1 }]),
      execute(({ engine }) => { engine.input('r').push([{ k: 2, b: 2 }]); }),
      expectFailure(/the scalar subquery returned more than one row/),
      execute(async ({ queries }) => {
        const e = await queries[0]!.awaitTermination(5_000).then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(WeirError);
        expect((e as WeirError).code).toBe('RUNTIME');
        expect([(e as WeirError).span?.line, (e as WeirError).span?.column]).toEqual([6, 51]);
      }),
    ]);
  });
});
