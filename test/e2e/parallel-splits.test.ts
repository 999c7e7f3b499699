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
  'join, UNNEST of each row, then group by the join key': 'SELECT k AS x, COUNT(*) AS y, CAST(SUM(u) AS INT) AS z FROM (SELECT l.k, r.b FROM l JOIN r ON l.k = r.k) j CROSS JOIN UNNEST(ARRAY[j.b, j.b + 1]) AS t(u) GROUP BY k',
  // a padded row's other side is NULL: the rows are exchanged again by the key grouped on
  'full join then group by the left key (exchanged)': 'SELECT l.k AS x, COUNT(*) AS y, CAST(SUM(r.b) AS INT) AS z FROM l FULL JOIN r ON l.k = r.k GROUP BY l.k',
  'left join then group by the right key (exchanged)': 'SELECT r.k AS x, COUNT(*) AS y, CAST(SUM(l.a) AS INT) AS z FROM l LEFT JOIN r ON l.k = r.k GROUP BY r.k',
  'join, a projection, then group by another column (exchanged)': 'SELECT b AS x, COUNT(*) AS y, CAST(SUM(k) AS INT) AS z FROM (SELECT r.b, l.k FROM l JOIN r ON l.k = r.k) GROUP BY b',
  // an aggregation's, a Top-N's rows come out of the task of their key: no exchange above them into
  // a node keyed by the same columns
  'group by, then join on the group key': 'SELECT g.k AS x, g.n AS y, r.b AS z FROM (SELECT k, COUNT(*) AS n FROM l GROUP BY k) g JOIN r ON g.k = r.k',
  'group by, then group by the same key': 'SELECT k AS x, SUM(n) AS y, CAST(MAX(m) AS INT) AS z FROM (SELECT k, COUNT(*) AS n, MAX(a) AS m FROM l GROUP BY k) GROUP BY k',
  'group by, then Top-1 per the group key': 'SELECT k AS x, n AS y, CAST(rn AS INT) AS z FROM (SELECT k, n, ROW_NUMBER() OVER (PARTITION BY k ORDER BY n DESC) AS rn FROM (SELECT k, COUNT(*) AS n FROM l GROUP BY k)) WHERE rn = 1',
  'Top-2 per key, then group by the key': 'SELECT k AS x, COUNT(*) AS y, CAST(SUM(a) AS INT) AS z FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l) WHERE rn <= 2 GROUP BY k',
  'group by two keys, then by one of them (exchanged)': 'SELECT k AS x, SUM(n) AS y, CAST(COUNT(*) AS INT) AS z FROM (SELECT k, a, COUNT(*) AS n FROM l GROUP BY k, a) GROUP BY k',
  'group by a key moved second, then by the pair in order (exchanged)': 'SELECT a AS x, SUM(n) AS y, k AS z FROM (SELECT a, k, COUNT(*) AS n FROM l GROUP BY k, a) GROUP BY a, k',
} as const;

/** The query's EXPLAIN at parallelism 2: which of these shapes exchange above their join. */
const EXCHANGED_ABOVE_JOIN: Partial<Record<keyof typeof QUERIES, boolean>> = {
  'join then group by its key (no exchange between)': false,
  'left join then group by the left key (padded rows too)': false,
  'right join then group by the right key': false,
  'Top-1 per join key (q9\'s shape)': false,
  'join, a projection moving the key, then group by it': false,
  'join, UNNEST of each row, then group by the join key': false,
  'full join then group by the left key (exchanged)': true,
  'left join then group by the right key (exchanged)': true,
  'join, a projection, then group by another column (exchanged)': true,
};

/** Which of these shapes exchange between their two keyed nodes (the upper first in EXPLAIN). */
const EXCHANGED_BETWEEN_KEYED: Partial<Record<keyof typeof QUERIES, boolean>> = {
  'group by, then join on the group key': false,
  'group by, then group by the same key': false,
  'group by, then Top-1 per the group key': false,
  'Top-2 per key, then group by the key': false,
  'group by two keys, then by one of them (exchanged)': true,
  'group by a key moved second, then by the pair in order (exchanged)': true,
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
    // the lines from the keyed node over the join down to the join: an exchange among them or not
    expect(hasExchange(linesBetween(plan, /^\s*(Aggregate|TopN)\(/, /^\s*\w*Join\(/)), plan).toBe(exchanged);
  });
});

/** The EXPLAIN lines strictly between the first line matching `upper` and the next matching `lower`, of the streaming plan. */
function linesBetween(plan: string, upper: RegExp, lower: RegExp): string[] {
  const lines = plan.slice(plan.indexOf('== Streaming Plan')).split('\n');
  const top = lines.findIndex((line) => upper.test(line));
  const below = lines.findIndex((line, i) => i > top && lower.test(line));
  expect(top, plan).toBeGreaterThan(0);
  expect(below, plan).toBeGreaterThan(top);
  return lines.slice(top + 1, below);
}
const KEYED = /^\s*(Aggregate|TopN|WindowAggregate|OverAggregate|\w*Join)\(/;
const hasExchange = (lines: readonly string[]): boolean => lines.some((line) => line.trim().startsWith('Exchange'));

describe('parallelism 2: no exchange above an aggregation or a Top-N into a node keyed by the same columns', () => {
  it.each(Object.entries(EXCHANGED_BETWEEN_KEYED))('%s', async (name, exchanged) => {
    const plan = await new Engine().explain(`${DDL} INSERT INTO o ${QUERIES[name as keyof typeof QUERIES]};`);
    expect(hasExchange(linesBetween(plan, KEYED, KEYED)), plan).toBe(exchanged);
  });

  const TIMED = `SET 'parallelism' = '2';
    CREATE TABLE t (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
    CREATE TABLE w (k INT, windows BIGINT, n BIGINT) WITH ('connector' = 'memory');`;
  // the window aggregation's key lands first in its output, its window bounds after
  const windowsPerKey = `INSERT INTO w SELECT k, COUNT(*), SUM(n) FROM (
    SELECT window_start, k, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))
    GROUP BY window_start, k, window_end) GROUP BY k;`;

  it('a window aggregation, then an aggregation by its key: no exchange between, and each key once', async () => {
    const plan = await new Engine().explain(`${TIMED} ${windowsPerKey}`);
    expect(hasExchange(linesBetween(plan, /^\s*Aggregate\(/, /^\s*WindowAggregate\(/)), plan).toBe(false);
    for (const threads of [true, false]) {
      const env = await testStream(`${TIMED} SET 'parallelism.threads' = '${threads}'; ${windowsPerKey}`, [execute(async ({ engine, queries }) => {
        // twelve keys, in three one-second windows; key k has k % 3 + 1 rows in each
        for (const ts of [0, 1000, 2000]) engine.input('t').push(Array.from({ length: 12 }, (_, k) => Array.from({ length: (k % 3) + 1 }, () => ({ k, a: k, ts: ts + k }))).flat());
        engine.input('t').end();
        await queries[0]!.processAllAvailable();
      })]);
      expect(sortRows(env.engine.output('w').rows()), `threads ${threads}`).toEqual(sortRows(Array.from({ length: 12 }, (_, k) => ({ k, windows: 3, n: 3 * ((k % 3) + 1) }))));
    }
  });

  // a group key drawn by RAND() is computed once, in a projection below the exchange: the group's
  // rows are in one task, so the node keyed by the group key above needs no exchange either
  it('a group key drawn by RAND(), then an aggregation by it: no exchange between, every row counted once', async () => {
    const sql = (threads: boolean) => `${DDL} SET 'parallelism.threads' = '${threads}';
      CREATE TABLE b (x INT, y BIGINT) WITH ('connector' = 'memory');
      INSERT INTO b SELECT x, SUM(n) FROM (SELECT CAST(FLOOR(RAND() * 4) AS INT) AS x, COUNT(*) AS n FROM l
        GROUP BY CAST(FLOOR(RAND() * 4) AS INT)) GROUP BY x;`;
    const plan = await new Engine().explain(sql(true));
    expect(hasExchange(linesBetween(plan, KEYED, KEYED)), plan).toBe(false);
    expect(plan, 'the key drawn once, below the exchange').toMatch(/Exchange hash\(\$key0#\d+\)/);
    for (const threads of [true, false]) {
      const env = await testStream(sql(threads), [execute(async ({ engine, queries }) => {
        for (let batch = 0; batch < 4; batch++) {
          engine.input('l').push(Array.from({ length: 100 }, (_, i) => ({ k: i % 10, a: i })));
          await queries[0]!.processAllAvailable();
        }
      })]);
      const rows = env.engine.output('b').rows() as { x: number; y: number }[];
      expect(new Set(rows.map((r) => r.x)).size, `threads ${threads}: one row a bucket`).toBe(rows.length);
      expect(rows.reduce((a, r) => a + Number(r.y), 0), `threads ${threads}`).toBe(400);
    }
  });

  // RAND() in a group key is drawn once a row (plan-streaming.ts keysComputedOnce): each group comes
  // out of one task, once, as at parallelism 1
  it.each([
    ['a group key drawn by RAND()', `SELECT CAST(FLOOR(RAND() * 4) AS INT) AS x, COUNT(*) AS n FROM t GROUP BY CAST(FLOOR(RAND() * 4) AS INT)`],
    ['a window aggregation\'s group key drawn by RAND()', `SELECT b AS x, COUNT(*) AS n FROM (SELECT *, CAST(FLOOR(RAND() * 4) AS INT) AS b
      FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))) GROUP BY window_start, window_end, b`],
  ])('%s: each group once, every row counted', async (name, select) => {
    for (const threads of [true, false]) {
      const sql = `${TIMED} SET 'parallelism.threads' = '${threads}'; CREATE TABLE g (x INT, n BIGINT) WITH ('connector' = 'memory');
        INSERT INTO g ${select};`;
      const env = await testStream(sql, [execute(async ({ engine, queries }) => {
        for (let batch = 0; batch < 4; batch++) {
          engine.input('t').push(Array.from({ length: 100 }, (_, i) => ({ k: i % 10, a: i, ts: batch * 100 + i })));
          await queries[0]!.processAllAvailable();
        }
        engine.input('t').end();
        await queries[0]!.processAllAvailable();
      })]);
      const rows = env.engine.output('g').rows() as { x: number; n: number }[];
      expect(new Set(rows.map((r) => r.x)).size, `${name}, threads ${threads}: one row a group`).toBe(rows.length);
      expect(rows.reduce((a, r) => a + Number(r.n), 0), `${name}, threads ${threads}`).toBe(400);
    }
  });

  // a Top-N's or an OVER's partition key drawn by RAND() would be drawn by the exchange and again by
  // the operator, placing a row by one value and ranking it by another: such a node runs in one task
  // (4 partitions: k's parity, and a bit drawn by RAND())
  it.each([
    ['a Top-1 per a partition drawn by RAND(): a row a partition', `SELECT a AS x, CAST(0 AS BIGINT) AS n FROM (SELECT a,
      ROW_NUMBER() OVER (PARTITION BY MOD(k, 2), CAST(FLOOR(RAND() * 2) AS INT) ORDER BY a DESC) AS rn FROM t) WHERE rn = 1`, 'update'],
    ['an OVER per a partition drawn by RAND(): one count of 1 a partition', `SELECT a AS x, COUNT(*) OVER (PARTITION BY
      MOD(k, 2), CAST(FLOOR(RAND() * 2) AS INT) ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM t`, 'append'],
  ])('%s', async (name, select, mode) => {
    const sql = (threads: boolean): string => `${TIMED} SET 'parallelism.threads' = '${threads}'; SET 'output-mode' = '${mode}';
      CREATE TABLE g (x INT, n BIGINT) WITH ('connector' = 'memory'); INSERT INTO g ${select};`;
    expect(await new Engine().explain(sql(true)), 'rows to one task').toMatch(/Exchange single → 1 task/);
    for (const threads of [true, false]) {
      const env = await testStream(sql(threads), [execute(async ({ engine, queries }) => {
        for (let batch = 0; batch < 4; batch++) {
          engine.input('t').push(Array.from({ length: 100 }, (_, i) => ({ k: i % 10, a: batch * 100 + i, ts: batch * 100 + i })));
          await queries[0]!.processAllAvailable();
        }
        engine.input('t').end();
        await queries[0]!.processAllAvailable();
      })]);
      const rows = env.engine.output('g').rows() as { x: number; n: number }[];
      if (mode === 'update') {
        expect(rows.length, `${name}, threads ${threads}`).toBeGreaterThan(0);
        expect(rows.length, `${name}, threads ${threads}: ${JSON.stringify(rows)}`).toBeLessThanOrEqual(4);
      } else {
        expect(rows.length, `${name}, threads ${threads}: every row`).toBe(400);
        const firsts = rows.filter((r) => Number(r.n) === 1).length;
        expect(firsts, `${name}, threads ${threads}`).toBeGreaterThan(0);
        expect(firsts, `${name}, threads ${threads}`).toBeLessThanOrEqual(4);
      }
    }
  });

  // a function the user registers is taken to be deterministic, as Flink takes it: the Top-N stays
  // spread by its partition key (its checkpoints written before keep their meaning), and gives the
  // best row of each value at parallelism 2 (inline tasks: the function cannot cross to a thread) as at 1
  it('a Top-1 per a registered function\'s value: spread by it, the best row of each value as at parallelism 1', async () => {
    const sql = (parallelism: number): string => `${TIMED.replace("'parallelism' = '2'", `'parallelism' = '${parallelism}'`)}
      SET 'output-mode' = 'update'; CREATE TABLE g (x INT, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO g SELECT a, CAST(0 AS BIGINT) FROM (SELECT a, ROW_NUMBER() OVER (PARTITION BY parity(k) ORDER BY a DESC) AS rn FROM t) WHERE rn = 1;`;
    const engineWithParity = (): Engine => {
      const engine = new Engine({ memory: { changelog: 'all' } });
      engine.registerFunction('parity', (x: number) => x % 2, { returns: 'INT' });
      return engine;
    };
    const plan = await engineWithParity().explain(sql(2));
    expect(plan).toMatch(/Exchange hash\(parity\(k#0\)\)/);
    expect(plan).not.toMatch(/Exchange single/);
    const best = async (parallelism: number): Promise<unknown[]> => {
      const engine = engineWithParity();
      try {
        const [q] = await engine.execute(sql(parallelism));
        for (let batch = 0; batch < 3; batch++) {
          engine.input('t').push(Array.from({ length: 50 }, (_, i) => ({ k: i % 10, a: (batch * 50 + i * 7) % 150, ts: batch * 50 + i })));
          await q!.processAllAvailable();
        }
        if (parallelism > 1) expect(q!.lastProgress!.parallelism).toMatchObject({ tasks: parallelism });
        return sortRows(engine.output('g').rows());
      } finally {
        await engine.stop();
      }
    };
    const atOne = await best(1);
    expect(atOne).toHaveLength(2);
    expect(await best(2)).toEqual(atOne);
  });

  it('an OVER per key, then an aggregation by that key: no exchange between', async () => {
    const plan = await new Engine().explain(`${TIMED} INSERT INTO w SELECT k, COUNT(*), MAX(s) FROM (
      SELECT k, CAST(SUM(a) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS BIGINT) AS s FROM t) GROUP BY k;`);
    expect(hasExchange(linesBetween(plan, /^\s*Aggregate\(/, /^\s*OverAggregate\(/)), plan).toBe(false);
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
