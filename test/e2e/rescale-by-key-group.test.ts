/**
 * A checkpoint resumed at another parallelism, its state re-split between the tasks by key group
 * (executor/parallel/state-split.ts): the input is the memory source, which cannot read committed
 * batches again, so the replay could not rebuild the state; the result over all the rows must still
 * be DuckDB's. Each case runs at a random sequence of parallelisms (1, 2 or 3, each restart another),
 * stopped and restarted at random points, and the last run's first batch says how it was re-split.
 */
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { fcParams } from '../support/property.js';
import { advanceClock, execute, sortRows, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';
import { duckTwoTables, endTwoTables, pushTwoTables, type TwoTableBatch } from '../support/two-tables.js';

interface In { readonly k: number | null; readonly v: number | null; readonly ts: number }
type Batch = TwoTableBatch<In>;

const DDL = `
  CREATE TABLE l (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE r (k INT, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
`;

/** Rows in time order (none late), consecutive rows of one table batched together. */
const ordered: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({
    table: fc.constantFrom('l' as const, 'r' as const),
    k: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 12 }),
    v: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 8 }),
    ts: fc.integer({ min: 0, max: 40 }).map((s) => s * 250),
  }),
  { minLength: 8, maxLength: 60 },
).chain((rows) => fc.array(fc.integer({ min: 1, max: 6 }), { minLength: rows.length, maxLength: rows.length }).map((sizes) => {
  const out: Batch[] = [];
  [...rows].sort((x, y) => x.ts - y.ts).forEach((r, i) => {
    const last = out[out.length - 1];
    const row = { k: r.k, v: r.v, ts: r.ts };
    if (last && last.table === r.table && last.rows.length < sizes[i]!) (last.rows as In[]).push(row);
    else out.push({ table: r.table, rows: [row] });
  });
  return out;
}));

const tumble = "TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' SECOND))";
const session = "TABLE(SESSION(TABLE l PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))";
/**
 * DuckDB's sessions of l by k with a one-second gap: a row starts a session when more than a second
 * after the previous (rows exactly a gap apart touch, and touching windows merge, as in Flink).
 */
const duckSessions = `(SELECT k, ts, SUM(s) OVER (PARTITION BY k ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
  FROM (SELECT k, ts, CASE WHEN ts - LAG(ts) OVER (PARTITION BY k ORDER BY ts) <= 1000 THEN 0 ELSE 1 END AS s FROM l))`;

/** [the sink's columns, Weir's SELECT, DuckDB's, SETs before them] */
const CASES: Record<string, readonly [string, string, string, string?]> = {
  groupBy: ['k INT, n INT', 'SELECT k, CAST(COUNT(*) + SUM(a) AS INT) FROM l GROUP BY k', 'SELECT k, COUNT(*) + SUM(a) FROM l GROUP BY k'],
  distinct: ['k INT, n INT', 'SELECT k, CAST(COUNT(DISTINCT a) AS INT) FROM l GROUP BY k', 'SELECT k, COUNT(DISTINCT a) FROM l GROUP BY k'],
  global: ['n INT', 'SELECT CAST(COUNT(*) AS INT) FROM l', 'SELECT COUNT(*) FROM l'],
  tumble: ['k INT, n INT', `SELECT k, CAST(COUNT(*) + MAX(a) AS INT) FROM ${tumble} GROUP BY k, window_start, window_end`,
    'SELECT k, COUNT(*) + MAX(a) FROM l GROUP BY k, ts // 5000'],
  session: ['k INT, n INT', `SELECT k, CAST(COUNT(*) AS INT) FROM ${session} GROUP BY k, window_start, window_end`,
    `SELECT k, COUNT(*) FROM ${duckSessions} GROUP BY k, sid`],
  join: ['k INT, a INT, b INT', 'SELECT l.k, a, b FROM l JOIN r ON l.k = r.k', 'SELECT l.k, a, b FROM l JOIN r ON l.k = r.k'],
  leftJoin: ['k INT, a INT, b INT', 'SELECT l.k, a, b FROM l LEFT JOIN r ON l.k = r.k', 'SELECT l.k, a, b FROM l LEFT JOIN r ON l.k = r.k'],
  // blocks that keep when they were stored (the clock stands still: nothing expires)
  joinUnderTtl: ['k INT, a INT, b INT', 'SELECT l.k, a, b FROM l LEFT JOIN r ON l.k = r.k', 'SELECT l.k, a, b FROM l LEFT JOIN r ON l.k = r.k',
    "SET 'table.exec.state.ttl' = '1 h';"],
  intervalJoin: ['k INT, a INT, b INT', "SELECT l.k, a, b FROM l JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts - INTERVAL '1' SECOND AND l.ts + INTERVAL '1' SECOND",
    'SELECT l.k, a, b FROM l JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts - 1000 AND l.ts + 1000'],
  // no exchange between the join and the node keyed by its key (the join made each row in the key's task)
  joinThenGroupBy: ['k INT, n INT', 'SELECT l.k, CAST(COUNT(*) + SUM(b) AS INT) FROM l JOIN r ON l.k = r.k GROUP BY l.k',
    'SELECT l.k, COUNT(*) + SUM(b) FROM l JOIN r ON l.k = r.k GROUP BY l.k'],
  leftJoinThenTopN: ['k INT, a INT', 'SELECT k, a FROM (SELECT l.k, l.a, ROW_NUMBER() OVER (PARTITION BY l.k ORDER BY l.a DESC, r.b DESC) AS rn FROM l LEFT JOIN r ON l.k = r.k WHERE l.a IS NOT NULL) WHERE rn <= 1',
    'SELECT k, a FROM (SELECT l.k, l.a, ROW_NUMBER() OVER (PARTITION BY l.k ORDER BY l.a DESC, r.b DESC) AS rn FROM l LEFT JOIN r ON l.k = r.k WHERE l.a IS NOT NULL) WHERE rn <= 1'],
  // no exchange above an aggregation, a window aggregation, a Top-N or an OVER into the node keyed
  // by the same columns: the node's state sits where the exchange would have put it
  groupByThenJoin: ['k INT, n INT, b INT', 'SELECT g.k, g.n, r.b FROM (SELECT k, CAST(COUNT(*) AS INT) AS n FROM l GROUP BY k) g JOIN r ON g.k = r.k',
    'SELECT g.k, g.n, r.b FROM (SELECT k, COUNT(*) AS n FROM l GROUP BY k) g JOIN r ON g.k = r.k'],
  topNThenGroupBy: ['k INT, n INT', 'SELECT k, CAST(COUNT(*) + SUM(a) AS INT) FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l WHERE a IS NOT NULL) WHERE rn <= 2 GROUP BY k',
    'SELECT k, COUNT(*) + SUM(a) FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l WHERE a IS NOT NULL) WHERE rn <= 2 GROUP BY k'],
  tumbleThenGroupBy: ['k INT, n INT', `SELECT k, CAST(SUM(n) AS INT) FROM (SELECT k, window_start, COUNT(*) AS n FROM ${tumble} GROUP BY k, window_start, window_end) GROUP BY k`,
    'SELECT k, COUNT(*) FROM l GROUP BY k'],
  // a session's rows are spread by its PARTITION BY and group keys together: exchanged above
  sessionThenGroupBy: ['k INT, n INT', `SELECT k, CAST(SUM(n) AS INT) FROM (SELECT k, window_start, COUNT(*) AS n FROM ${session} GROUP BY k, window_start, window_end) GROUP BY k`,
    'SELECT k, COUNT(*) FROM l GROUP BY k'],
  overThenGroupBy: ['k INT, n INT', 'SELECT k, CAST(MAX(s) AS INT) FROM (SELECT k, SUM(a) OVER (PARTITION BY k ORDER BY ts) AS s FROM l) GROUP BY k',
    'SELECT k, MAX(s) FROM (SELECT k, SUM(a) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM l) GROUP BY k'],
  semi: ['k INT, a INT', 'SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b >= l.a)',
    'SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b >= l.a)'],
  // packed partitions (an append-only input)
  topN: ['k INT, a INT', 'SELECT k, a FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l WHERE a IS NOT NULL) WHERE rn <= 2',
    'SELECT k, a FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l WHERE a IS NOT NULL) WHERE rn <= 2'],
  // a row per entry (an updating input)
  topNOverAggregate: ['k2 INT, k INT, n INT', 'SELECT k2, k, n FROM (SELECT k2, k, n, ROW_NUMBER() OVER (PARTITION BY k2 ORDER BY n DESC, k) AS rn FROM (SELECT MOD(k, 2) AS k2, k, CAST(COUNT(*) AS INT) AS n FROM l WHERE k IS NOT NULL GROUP BY k)) WHERE rn <= 2',
    'SELECT k2, k, n FROM (SELECT k2, k, n, ROW_NUMBER() OVER (PARTITION BY k2 ORDER BY n DESC, k) AS rn FROM (SELECT k % 2 AS k2, k, COUNT(*) AS n FROM l WHERE k IS NOT NULL GROUP BY k)) WHERE rn <= 2'],
  overUnbounded: ['k INT, a INT, n INT', 'SELECT k, a, CAST(SUM(a) OVER (PARTITION BY k ORDER BY ts) AS INT) FROM l',
    'SELECT k, a, SUM(a) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM l'],
  overRange: ['k INT, a INT, n INT', "SELECT k, a, CAST(COUNT(*) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) AS INT) FROM l",
    'SELECT k, a, COUNT(*) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN 1000 PRECEDING AND CURRENT ROW) FROM l'],
};

/** Rows as sorted lists of their values, numbers as numbers (the sink's names and DuckDB's differ). */
const valuesOf = (rows: readonly Row[]): unknown[][] =>
  rows.map((r) => Object.values(r).map((v) => (v === null ? null : Number(v)))).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));

const script = (p: number, sink: string, sql: string, sets = ''): string =>
  `SET 'parallelism' = '${p}';${sets}\n${DDL}\nCREATE TABLE o (${sink}) WITH ('connector' = 'memory');\nINSERT INTO o ${sql};`;

/** 2 or 3 runs, each at another parallelism (1, 2 or 3) than the one before. */
const parallelisms: fc.Arbitrary<number[]> = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 2 }))
  .map(([first, steps]) => steps.reduce((ps, step) => [...ps, ((ps[ps.length - 1]! - 1 + step) % 3) + 1], [first]));

describe('state re-split by key group when the parallelism changes: DuckDB\'s result', () => {
  it.each(Object.entries(CASES))('%s', async (_name, [sink, sql, duckSql, sets]) => {
    await fc.assert(fc.asyncProperty(ordered, parallelisms, fc.array(fc.nat(), { minLength: 2, maxLength: 2 }), async (input, ps, at) => {
      fc.pre(input.length >= 2); // a restart after a committed batch, before the last
      // restart points: distinct ascending cuts inside the input, one per run after the first
      const cuts = [...new Set(at.slice(0, ps.length - 1).map((x) => 1 + (x % (input.length - 1))))].sort((a, b) => a - b);
      const runs = ps.slice(0, cuts.length + 1);
      const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-'));
      try {
        const expected = await duckTwoTables(input, duckSql, true);
        const actions: Action[] = [];
        // the parallelism the last batch before the last run committed at (a batch runs when a table the query reads got rows)
        let committedAt: number | undefined;
        let from = 0;
        cuts.forEach((cut, i) => {
          const pushed = input.slice(from, cut);
          if (pushed.some((b) => new RegExp(`\\b${b.table}\\b`).test(sql))) committedAt = runs[i];
          actions.push(...pushed.map((b) => pushTwoTables(b, true)), stopAndRestart({ sql: script(runs[i + 1]!, sink, sql, sets) }));
          from = cut;
        });
        actions.push(...input.slice(from).map((b) => pushTwoTables(b, true)), endTwoTables);
        const env = await testStream(script(runs[0]!, sink, sql, sets), actions, { checkpointDir });
        expect(valuesOf(env.engine.output('o').rows())).toEqual(valuesOf(expected));
        const resplit = env.queries[0]!.recentProgress.map((p: QueryProgress) => p.stateResplit).find((s) => s !== undefined);
        const last = runs[runs.length - 1]!;
        if (committedAt === undefined || committedAt === last) expect(resplit).toBeUndefined();
        else expect(resplit, 'the last run says how it re-split the state').toMatchObject({ fromTasks: committedAt, toTasks: last, by: 'keyGroups' });
      } finally {
        rmSync(checkpointDir, { recursive: true, force: true });
      }
    }), fcParams({ numRuns: 6 }));
  }, 60_000);
});

describe('a temporal join resumed at another parallelism', () => {
  const ddl = (p: number): string => `SET 'parallelism' = '${p}';
    CREATE TABLE orders (amount INT, currency STRING, tm TIMESTAMP(3), WATERMARK FOR tm AS tm) WITH ('connector' = 'memory');
    CREATE TABLE rates (currency STRING, rate INT, rtm TIMESTAMP(3), WATERMARK FOR rtm AS rtm, PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'memory');
    CREATE TABLE s (currency STRING, tm TIMESTAMP(3), amount INT) WITH ('connector' = 'memory');
    INSERT INTO s SELECT o.currency, o.tm, o.amount * r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;`;
  // enough currencies that both tasks' entries are numbered over the same range (each task numbers its own)
  const currencies = Array.from({ length: 40 }, (_, i) => `c${i}`);

  it.each([[1, 2], [2, 1], [2, 3]])('keeps the waiting orders and every version at %i → %i tasks', async (from, to) => {
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-temporal-'));
    try {
      // rates at minutes 0 (rate i + 1) and 10 (rate 10 × (i + 1)); orders at minutes 5, 11, 13 and 15,
      // those after 10 waiting in state at the restart (the rates' watermark is at 10)
      const rates = (minute: number, f: number) => currencies.map((currency, i) => ({ currency, rate: f * (i + 1), rtm: minute * 60_000 }));
      const orders = (minute: number) => currencies.map((currency) => ({ amount: 1, currency, tm: minute * 60_000 }));
      const env = await testStream(ddl(from), [
        execute(async ({ engine, queries }) => {
          engine.input('rates').push(rates(0, 1));
          engine.input('orders').push(orders(5));
          await queries[0]!.processAllAvailable();
          engine.input('rates').push(rates(10, 10));
          // orders waiting (the rates' watermark is at 10), numbered over ranges both tasks use
          for (const m of [11, 13, 15]) {
            engine.input('orders').push(orders(m));
            await queries[0]!.processAllAvailable();
          }
        }),
        stopAndRestart({ sql: ddl(to) }),
        execute(async ({ engine, queries }) => {
          engine.input('rates').push(rates(20, 100));
          engine.input('orders').push(orders(25));
          await queries[0]!.processAllAvailable();
          engine.input('orders').end();
          engine.input('rates').end();
          await queries[0]!.processAllAvailable();
        }),
      ], { checkpointDir });
      const want = currencies.flatMap((currency, i) => [[currency, 5, i + 1], ...[11, 13, 15].map((m) => [currency, m, 10 * (i + 1)]), [currency, 25, 100 * (i + 1)]]);
      expect(valuesOf(env.engine.output('s').rows().map((r) => ({ ...r, tm: Number(r.tm) / 60_000 })))).toEqual(valuesOf(want.map(([c, t, a]) => ({ c, t, a }))));
      expect(env.queries[0]!.recentProgress.find((p) => p.stateResplit)?.stateResplit).toMatchObject({ fromTasks: from, toTasks: to, by: 'keyGroups' });
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
  }, 30_000);
});

/**
 * A Top-N under a 1 h state TTL keyed by `keyType`: every key written at 0, the `fresh` ones again at
 * 30 min (a new top row), then at 70 min a low row for every key, run from `from` tasks, restarted
 * at `to` before the last step. The changes must be those of a run that never stopped, in which only
 * the `stale` partitions expired (took the low row as their first again).
 */
async function ttlAcrossRestart(keyType: string, stale: readonly (number | null)[], fresh: readonly (number | null)[], from: number, to: number): Promise<void> {
  const sql = (p: number): string => `SET 'parallelism' = '${p}'; SET 'table.exec.state.ttl' = '1 h';
    CREATE TABLE l (k ${keyType}, a INT) WITH ('connector' = 'memory');
    CREATE TABLE o (k ${keyType}, a INT) WITH ('connector' = 'memory');
    INSERT INTO o SELECT k, a FROM (SELECT k, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC) AS rn FROM l) WHERE rn <= 1;`;
  const push = (rows: { k: number | null; a: number }[]): Action => execute(async ({ engine, queries }) => {
    engine.input('l').push(rows);
    await queries[0]!.processAllAvailable();
  });
  const before = [push([...stale, ...fresh].map((k, i) => ({ k, a: 10 + i }))), advanceClock(30 * 60_000), push(fresh.map((k, i) => ({ k, a: 100 + i })))];
  const after = [advanceClock(40 * 60_000), push([...stale, ...fresh].map((k) => ({ k, a: 0 })))];
  const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-ttl-'));
  try {
    const env = await testStream(sql(from), [...before, stopAndRestart({ sql: sql(to) }), ...after], { checkpointDir });
    const straight = await testStream(sql(from), [...before, ...after]);
    const changes = (e: typeof env): string[] => e.engine.output('o').changes().map((c) => JSON.stringify(c)).sort();
    expect(changes(env)).toEqual(changes(straight));
    expect(changes(straight).filter((c) => c.includes('"a":0'))).toHaveLength(stale.length);
    const resplit = env.queries[0]!.recentProgress.find((p) => p.stateResplit)?.stateResplit;
    // a plain restart reads each partition's own time back; a rescale moves it with the partition
    if (from === to) expect(resplit).toBeUndefined();
    else expect(resplit).toMatchObject({ fromTasks: from, toTasks: to, by: 'keyGroups' });
  } finally {
    rmSync(checkpointDir, { recursive: true, force: true });
  }
}

describe("a Top-N's state TTL across a re-split: each partition's last-write time moves with its rows", () => {
  const ints = Array.from({ length: 12 }, (_, i) => i);
  it.each([[1, 2], [2, 1], [2, 3]])('INT keys, %i → %i tasks', (from, to) =>
    ttlAcrossRestart('INT', ints.filter((k) => k % 2 === 1), ints.filter((k) => k % 2 === 0), from, to), 30_000);
  // NaN, the infinities and NULL are four partitions with four times (JSON alone names them all `null`)
  it.each([[1, 1], [1, 2], [2, 1], [1, 3]])('DOUBLE keys with NaN, ±Infinity and NULL, %i → %i tasks', (from, to) =>
    ttlAcrossRestart('DOUBLE', [Infinity, -Infinity, 0.5, 2.5], [NaN, null, 1.5, 3.5], from, to), 30_000);
});

describe('state that is not split by key group', () => {
  it('falls back to the replay, and says why when the source cannot read old batches again', async () => {
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-damaged-'));
    const sql = (p: number): string => `SET 'parallelism' = '${p}';
      CREATE TABLE l (k INT, a INT) WITH ('connector' = 'memory');
      CREATE TABLE o (k INT, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, COUNT(*) FROM l GROUP BY k;`;
    try {
      const run = testStream(sql(1), [
        execute(async ({ engine, queries }) => {
          engine.input('l').push([{ k: 1, a: 5 }, { k: 2, a: 7 }]);
          await queries[0]!.processAllAvailable();
        }),
        // the old task's newest state file cut short: it cannot be read to be split
        execute(async () => {
          const files = stateFiles(checkpointDir);
          expect(files.length, 'the state files are where the test looks').toBeGreaterThan(0);
          for (const file of files) truncateSync(file, 3);
        }),
        stopAndRestart({ sql: sql(2) }),
      ], { checkpointDir });
      await expect(run).rejects.toThrow(/'parallelism' = '1' and this run sets '2', and its state cannot be moved by key group \(an old task's store could not be read \(.*\)\): re-splitting state between tasks replays the committed batches, but .*memory.* cannot read them again/);
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
  });
});

/** Every state file (snapshots and deltas) under a checkpoint directory. */
function stateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /[\\/]state[\\/]/.test(f) && /\.(delta|snapshot)$/.test(f))
    .map((f) => path.join(dir, f));
}

describe("a join's rows after a re-split", () => {
  const sql = (p: number, join: string): string => `SET 'parallelism' = '${p}';
    CREATE TABLE l (k INT, a INT) WITH ('connector' = 'memory');
    CREATE TABLE r (k INT, b INT) WITH ('connector' = 'memory');
    CREATE TABLE o (k INT, a INT, b INT) WITH ('connector' = 'memory');
    INSERT INTO o SELECT l.k, a, b FROM l ${join} r ON l.k = r.k;`;
  const onDisk = (p: QueryProgress): number => p.stateOperators.reduce((n, s) => n + (s.stateSizeOnDiskBytes ?? 0), 0);
  // blocks of thousands of rows of many keys (so of both tasks at parallelism 2)
  const before = execute(async ({ engine, queries }) => {
    for (let b = 0; b < 2; b++) {
      engine.input('l').push(Array.from({ length: 3000 }, (_, i) => ({ k: 100_000 + i, a: b })));
      engine.input('r').push(Array.from({ length: 3000 }, (_, i) => ({ k: 200_000 + i, b })));
      await queries[0]!.processAllAvailable();
    }
    // the first hundred left keys matched once already (their rows' match counts are 1 at the restart)
    engine.input('r').push(Array.from({ length: 100 }, (_, i) => ({ k: 100_000 + i, b: 5 })));
    await queries[0]!.processAllAvailable();
  });
  // then right rows matching every seventh left key: a LEFT JOIN retracts those keys' padded rows
  const after = execute(async ({ engine, queries }) => {
    engine.input('r').push(Array.from({ length: 3000 }, (_, i) => ({ k: 100_000 + i, b: 7 })).filter((x) => x.k % 7 === 0));
    await queries[0]!.processAllAvailable();
  });

  it.each(['JOIN', 'LEFT JOIN'])('%s: are cut between the tasks, not copied to each, and match as before', async (join) => {
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-cut-'));
    try {
      let size = 0;
      const straight = await testStream(sql(1, join), [before, after]);
      const env = await testStream(sql(1, join), [
        before,
        execute(({ queries }) => { size = onDisk(queries[0]!.lastProgress!); }),
        stopAndRestart({ sql: sql(2, join) }),
        after,
      ], { checkpointDir });
      const first = env.queries[0]!.recentProgress.find((p) => p.stateResplit)!;
      expect(first.stateResplit).toMatchObject({ fromTasks: 1, toTasks: 2, by: 'keyGroups' });
      expect(first.stateOperators[0]!.numRowsTotal).toBe(12_100 + 429);
      // the new stores' files (a snapshot each, then this batch's delta) hold the rows once; copied
      // blocks would hold every row twice (in each task a copy, the other task's rows dead)
      expect(size).toBeGreaterThan(50_000);
      expect(onDisk(first)).toBeGreaterThan(0.7 * size);
      expect(onDisk(first)).toBeLessThan(1.3 * size);
      const want = sortRows(straight.engine.output('o').rows());
      expect(want.length).toBe(join === 'JOIN' ? 200 + 858 : 6000 + 2 * 14);
      expect(sortRows(env.engine.output('o').rows())).toEqual(want);
      // and the same changes: a row's match count lost in the cut would retract a padded row never sent
      const changes = (e: typeof env): string[] => e.engine.output('o').changes().map((c) => JSON.stringify(c)).sort();
      expect(changes(env)).toEqual(changes(straight));
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
  });
});

describe('a process function resumed at another parallelism', () => {
  const FX = path.join(__dirname, 'fixtures', 'process');
  const script = (p: number): string => `SET 'parallelism' = '${p}';
    CREATE FUNCTION timeout AS '${FX}/event-timeout.mjs';
    CREATE TABLE t (k STRING, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, fired_at TIMESTAMP(3), cnt INT, wm TIMESTAMP(3), row_time TIMESTAMP(3)) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM TABLE(timeout(TABLE t PARTITION BY k, 10000));`;
  // 24 keys, each a row every 10.8 s (timers 10 s after a row fire between them): counts and timers are in state at the restart
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ k: `k${(from + i) % 24}`, v: (from + i) % 17 === 0 ? 'cancel' : '', ts: (from + i) * 450 }));
  const push = (from: number, to: number) => execute(async ({ engine, queries }) => {
    for (let i = from; i < to; i += 20) {
      engine.input('t').push(rows(i, Math.min(to, i + 20)));
      await queries[0]!.processAllAvailable();
    }
  });
  const end = execute(async ({ engine, queries }) => {
    engine.input('t').end();
    await queries[0]!.processAllAvailable();
  });

  it.each([[1, 2], [2, 1], [3, 2]])('keeps its keyed state and timers at %i → %i tasks: the rows of a run that never stopped', async (from, to) => {
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'weir-rescale-ptf-'));
    try {
      const straight = await testStream(script(1), [push(0, 200), end]);
      const env = await testStream(script(from), [push(0, 100), stopAndRestart({ sql: script(to) }), push(100, 200), end], { checkpointDir });
      const want = sortRows(straight.engine.output('out').rows());
      expect(want.length).toBeGreaterThan(24);
      expect(sortRows(env.engine.output('out').rows())).toEqual(want);
      expect(env.queries[0]!.recentProgress.find((p) => p.stateResplit)?.stateResplit).toMatchObject({ fromTasks: from, toTasks: to, by: 'keyGroups' });
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
  }, 30_000);
});
