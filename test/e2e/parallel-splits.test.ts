/**
 * At `SET 'parallelism' = '2'` any split of the input into batches gives DuckDB's final result:
 * generated rows for two tables pushed in a random interleaving of batches, through queries whose
 * rows are exchanged between the tasks by different keys (an aggregation then a join on another
 * key, a GROUP BY then a global aggregate in one task, a Top-N per key). fcParams prints the seed
 * and replays it from the environment.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { fcParams } from '../support/property.js';
import { execute, sortRows, testStream, type Action, type Row } from '../support/stream-test.js';
import { duckTwoTables, pushTwoTables } from '../support/two-tables.js';

interface In { readonly k: number | null; readonly v: number }
type Batch = { readonly table: 'l' | 'r'; readonly rows: readonly In[] };

const DDL = `
  SET 'parallelism' = '2';
  CREATE TABLE l (k INT, a INT) WITH ('connector' = 'memory');
  CREATE TABLE r (k INT, b INT) WITH ('connector' = 'memory');
  CREATE TABLE o (x INT, y BIGINT, z INT) WITH ('connector' = 'memory');
`;

const duck = (batches: readonly Batch[], sql: string): Promise<Row[]> => duckTwoTables(batches, sql, false);
const push = (b: Batch): Action => pushTwoTables(b, false);

const batches: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({
    table: fc.constantFrom('l' as const, 'r' as const),
    rows: fc.array(fc.record({ k: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 8 }), v: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 12 }),
  }),
  { minLength: 1, maxLength: 8 },
// a global aggregate over no rows at all emits nothing in a stream (as in Flink) but a row in DuckDB
).map((bs) => (bs.some((b) => b.table === 'l') ? bs : [{ table: 'l' as const, rows: [{ k: 1, v: 1 }] }, ...bs]));

const QUERIES = {
  // exchanged by k into the aggregation, by s into the join (r by b)
  'aggregate then join on another key': 'SELECT g.k AS x, g.n AS y, r.k AS z FROM (SELECT k, COUNT(*) AS n, CAST(SUM(a) AS INT) AS s FROM l GROUP BY k) g JOIN r ON g.s = r.b',
  // exchanged by k, then everything to task 0
  'group by then a global aggregate': 'SELECT CAST(COUNT(*) AS INT) AS x, SUM(n) AS y, CAST(MAX(k) AS INT) AS z FROM (SELECT k, COUNT(*) AS n FROM l GROUP BY k)',
  'Top-2 per key': 'SELECT k AS x, CAST(a AS BIGINT) AS y, CAST(rn AS INT) AS z FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l) WHERE rn <= 2',
  // the rows a join makes are in the task of their key: no exchange between the join and these
  'join then group by its key (no exchange between)': 'SELECT l.k AS x, COUNT(*) AS y, CAST(SUM(r.b) AS INT) AS z FROM l JOIN r ON l.k = r.k GROUP BY l.k',
  'left join then group by the left key (padded rows too)': 'SELECT l.k AS x, COUNT(r.b) AS y, CAST(SUM(l.a) AS INT) AS z FROM l LEFT JOIN r ON l.k = r.k GROUP BY l.k',
  'right join then group by the right key': 'SELECT r.k AS x, COUNT(l.a) AS y, CAST(SUM(r.b) AS INT) AS z FROM l RIGHT JOIN r ON l.k = r.k GROUP BY r.k',
  'Top-1 per join key (q9\'s shape)': 'SELECT k AS x, CAST(b AS BIGINT) AS y, a AS z FROM (SELECT l.k, l.a, r.b, ROW_NUMBER() OVER (PARTITION BY l.k ORDER BY r.b DESC, l.a DESC) AS rn FROM l JOIN r ON l.k = r.k) WHERE rn = 1',
  'join, a projection moving the key, then group by it': 'SELECT k AS x, COUNT(*) AS y, CAST(SUM(b) AS INT) AS z FROM (SELECT r.b, l.k FROM l JOIN r ON l.k = r.k) GROUP BY k',
  // a padded row's other side is NULL: the rows are exchanged again by the key grouped on
  'full join then group by the left key (exchanged)': 'SELECT l.k AS x, COUNT(*) AS y, CAST(SUM(r.b) AS INT) AS z FROM l FULL JOIN r ON l.k = r.k GROUP BY l.k',
  'left join then group by the right key (exchanged)': 'SELECT r.k AS x, COUNT(*) AS y, CAST(SUM(l.a) AS INT) AS z FROM l LEFT JOIN r ON l.k = r.k GROUP BY r.k',
  'join, a projection, then group by another column (exchanged)': 'SELECT b AS x, COUNT(*) AS y, CAST(SUM(k) AS INT) AS z FROM (SELECT r.b, l.k FROM l JOIN r ON l.k = r.k) GROUP BY b',
} as const;

/** The query's EXPLAIN at parallelism 2: which of these shapes exchange above their join. */
const EXCHANGED_ABOVE_JOIN: Partial<Record<keyof typeof QUERIES, boolean>> = {
  'join then group by its key (no exchange between)': false,
  'left join then group by the left key (padded rows too)': false,
  'right join then group by the right key': false,
  'Top-1 per join key (q9\'s shape)': false,
  'join, a projection moving the key, then group by it': false,
  'full join then group by the left key (exchanged)': true,
  'left join then group by the right key (exchanged)': true,
  'join, a projection, then group by another column (exchanged)': true,
};

describe('parallelism 2: any batch split gives DuckDB\'s final result', () => {
  it.each(Object.entries(QUERIES))('%s', async (name, sql) => {
    // the tasks on worker threads (the built worker) or inline (this tree's code), drawn per run
    await fc.assert(fc.asyncProperty(batches, fc.boolean(), async (input, threads) => {
      const env = await testStream(`${DDL} SET 'parallelism.threads' = '${threads}'; INSERT INTO o ${sql};`, input.map(push));
      const got = env.engine.output('o').rows();
      const expected = await duck(input, sql);
      // rows of equal a within a key are numbered in no defined order, but project to equal rows
      expect(sortRows(got), name).toEqual(sortRows(expected));
    }), fcParams({ numRuns: 10 }));
  });
});

describe('parallelism 2: an exchange only where rows are not spread by the keys already', () => {
  it.each(Object.entries(EXCHANGED_ABOVE_JOIN))('%s', async (name, exchanged) => {
    const plan = await new Engine().explain(`${DDL} INSERT INTO o ${QUERIES[name as keyof typeof QUERIES]};`);
    const stream = plan.slice(plan.indexOf('== Streaming Plan'));
    // the lines from the keyed node over the join down to the join: an exchange among them or not
    const lines = stream.split('\n');
    const consumer = lines.findIndex((line) => /^\s*(Aggregate|TopN)\(/.test(line));
    const join = lines.findIndex((line) => /^\s*\w*Join\(/.test(line));
    expect(consumer, stream).toBeGreaterThan(0);
    expect(join, stream).toBeGreaterThan(consumer);
    expect(lines.slice(consumer + 1, join).some((line) => line.trim().startsWith('Exchange')), stream).toBe(exchanged);
  });
});

describe('parallelism 2: NOT IN', () => {
  // a NULL anywhere on the right makes `a NOT IN (…)` unknown for every left row: the rows of both
  // sides meet in one task, whatever their values' key groups
  it.each([
    ['a NULL on the right: no row', [{ k: 1, b: null }, { k: 2, b: 3 }], []],
    ['no NULL: the rows whose value is not on the right', [{ k: 2, b: 3 }, { k: 3, b: 5 }], [0, 1, 2, 4, 6, 7, 8, 9, 10, 11]],
  ])('%s', async (_name, right, kept) => {
    const sql = `SET 'parallelism' = '2';
      CREATE TABLE l (k INT, a INT) WITH ('connector' = 'memory');
      CREATE TABLE r (k INT, b INT) WITH ('connector' = 'memory');
      CREATE TABLE o (k INT, a INT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, a FROM l WHERE a NOT IN (SELECT b FROM r);`;
    const env = await testStream(sql, [execute(async ({ engine, queries }) => {
      engine.input('r').push(right);
      await queries[0]!.processAllAvailable();
      engine.input('l').push(Array.from({ length: 12 }, (_, i) => ({ k: i, a: i })));
      await queries[0]!.processAllAvailable();
    })]);
    expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows(kept.map((i) => ({ k: i, a: i }))));
  });
});

describe('parallelism 2: an aggregation over session windows', () => {
  // the outer aggregation groups the windows of every key: its rows meet in one task, not in the
  // task of the session's PARTITION BY key (a column of the session's input, not of its own)
  it('sums each window once over all keys', async () => {
    const sql = `SET 'parallelism' = '2';
      CREATE TABLE l (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
      CREATE TABLE o (ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT window_start, window_end, SUM(n) FROM (
        SELECT k, window_start, window_end, COUNT(*) AS n FROM TABLE(SESSION(TABLE l PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY k, window_start, window_end) GROUP BY window_start, window_end;`;
    const env = await testStream(sql, [execute(async ({ engine, queries }) => {
      for (const ts of [0, 5000]) engine.input('l').push(Array.from({ length: 12 }, (_, k) => ({ k, a: k, ts })));
      engine.input('l').end();
      await queries[0]!.processAllAvailable();
    })]);
    expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows([{ ws: 0, we: 1000, n: 12 }, { ws: 5000, we: 6000, n: 12 }]));
  });
});
