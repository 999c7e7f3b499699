/**
 * Stream-stream joins against the batch oracle: generated rows for two tables, pushed in a random
 * interleaving of batches, give the same final result as DuckDB over all the rows at once (for
 * regular joins, after every update is applied: the memory sink applies -D/+I), and interval joins
 * give DuckDB's answer over the rows the watermark did not drop as late (replayed here: a batch runs
 * with min over tables of (largest ts of earlier batches) − 1 s, and a row below it is late).
 */
import fc from 'fast-check';
import { fcParams } from '../support/property.js';
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { execute, sortRows, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';
import { duckTwoTables, endTwoTables, pushTwoTables } from '../support/two-tables.js';

interface In { readonly k: number | null; readonly v: number; readonly ts: number }
type Batch = { readonly table: 'l' | 'r'; readonly rows: readonly In[] };

const DDL = `
  CREATE TABLE l (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE r (k INT, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE o (lk INT, a INT, rk INT, b INT) WITH ('connector' = 'memory');
`;

const duck = (batches: readonly Batch[], sql: string): Promise<Row[]> => duckTwoTables(batches, sql, true);
const push = (b: Batch): Action => pushTwoTables(b, true);
const endInputs = endTwoTables;


const row = (ts: fc.Arbitrary<number>): fc.Arbitrary<In> => fc.record({
  k: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 8 }),
  v: fc.integer({ min: 0, max: 9 }),
  ts,
});
const batches = (ts: fc.Arbitrary<number>): fc.Arbitrary<Batch[]> => fc.array(
  fc.record({ table: fc.constantFrom('l' as const, 'r' as const), rows: fc.array(row(ts), { minLength: 1, maxLength: 6 }) }),
  { minLength: 1, maxLength: 10 },
);

/**
 * How a run keeps its state: all in memory, or spilling join blocks (state.spill-threshold 1: every
 * block waits in the spill file and is read back; 300 bytes: a block or two stay in memory), and
 * whether it stops and restarts from its checkpoint after batch `restartAfter`.
 */
interface StateMode { readonly spill: string | undefined; readonly restartAfter: number | null }
const stateMode: fc.Arbitrary<StateMode> = fc.record({
  spill: fc.constantFrom(undefined, '1', '300'),
  restartAfter: fc.option(fc.nat(10), { freq: 2 }),
});

async function runJoin(sql: string, input: readonly Batch[], mode: StateMode): Promise<Row[]> {
  const actions = input.map(push);
  let checkpointDir: string | undefined;
  if (mode.restartAfter !== null) {
    checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'weir-join-oracle-'));
    actions.splice(Math.min(mode.restartAfter, actions.length), 0, stopAndRestart());
  }
  try {
    const settings = mode.spill === undefined ? undefined : { 'state.spill-threshold': mode.spill };
    const env = await testStream(`${DDL} INSERT INTO o ${sql};`, actions, { ...(settings ? { settings } : {}), ...(checkpointDir ? { checkpointDir } : {}) });
    return env.engine.output('o').rows();
  } finally {
    if (checkpointDir) await fs.rm(checkpointDir, { recursive: true, force: true });
  }
}

const REGULAR = {
  inner: 'SELECT l.k AS lk, a, r.k AS rk, b FROM l JOIN r ON l.k = r.k AND a <= b + 3',
  left: 'SELECT l.k AS lk, a, r.k AS rk, b FROM l LEFT JOIN r ON l.k = r.k AND a <= b + 3',
  right: 'SELECT l.k AS lk, a, r.k AS rk, b FROM l RIGHT OUTER JOIN r ON l.k = r.k AND a <= b + 3',
  full: 'SELECT l.k AS lk, a, r.k AS rk, b FROM l FULL OUTER JOIN r ON l.k = r.k AND a <= b + 3',
  comma: 'SELECT l.k AS lk, a, r.k AS rk, b FROM l, r WHERE l.k = r.k AND a > b',
  using: 'SELECT k AS lk, a, k AS rk, b FROM l FULL JOIN r USING (k)',
  // the left input retracts: an aggregate in update mode
  retracting: 'SELECT g.k AS lk, g.s AS a, r.k AS rk, b FROM (SELECT k, CAST(SUM(a) AS INT) AS s FROM l GROUP BY k) g FULL JOIN r ON g.k = r.k AND g.s >= b',
} as const;

describe('regular joins: any batch split gives DuckDB\'s final result', () => {
  it.each(Object.entries(REGULAR))('%s', async (_name, sql) => {
    await fc.assert(fc.asyncProperty(batches(fc.constant(0)), stateMode, async (input, mode) => {
      const expected = await duck(input, sql);
      expect(sortRows(await runJoin(sql, input, mode))).toEqual(sortRows(expected));
    }), fcParams({ numRuns: 14 }));
  });
});

/** The rows that are not late: batch j runs with min(max ts of earlier l, of earlier r) − 1 s. */
function notLate(input: readonly Batch[]): Batch[] {
  let maxL = -Infinity, maxR = -Infinity;
  return input.map((b) => {
    const wm = Math.min(maxL, maxR) - 1000;
    const kept = b.rows.filter((x) => x.ts >= wm);
    for (const x of b.rows) {
      if (b.table === 'l') maxL = Math.max(maxL, x.ts);
      else maxR = Math.max(maxR, x.ts);
    }
    return { table: b.table, rows: kept };
  });
}

const BETWEEN = 'l.ts BETWEEN r.ts - 2000 AND r.ts + 3000';
const INTERVAL = "l.ts BETWEEN r.ts - INTERVAL '2' SECOND AND r.ts + INTERVAL '3' SECOND";
const INTERVALS = {
  inner: [`SELECT l.k AS lk, a, r.k AS rk, b FROM l JOIN r ON l.k = r.k AND ${INTERVAL}`, `SELECT l.k AS lk, a, r.k AS rk, b FROM l JOIN r ON l.k = r.k AND ${BETWEEN}`],
  left: [`SELECT l.k AS lk, a, r.k AS rk, b FROM l LEFT JOIN r ON l.k = r.k AND ${INTERVAL}`, `SELECT l.k AS lk, a, r.k AS rk, b FROM l LEFT JOIN r ON l.k = r.k AND ${BETWEEN}`],
  full: [`SELECT l.k AS lk, a, r.k AS rk, b FROM l FULL JOIN r ON l.k = r.k AND ${INTERVAL} AND a <> b`, `SELECT l.k AS lk, a, r.k AS rk, b FROM l FULL JOIN r ON l.k = r.k AND ${BETWEEN} AND a <> b`],
} as const;

describe('interval joins: DuckDB over the rows that were not late, append-only', () => {
  it.each(Object.entries(INTERVALS))('%s', async (_name, [sql, duckSql]) => {
    // times in whole seconds over a minute: rows arrive out of order, some late
    await fc.assert(fc.asyncProperty(batches(fc.integer({ min: 0, max: 60 }).map((s) => s * 500)), fc.constantFrom(undefined, '1', '300'), async (input, spill) => {
      const expected = await duck(notLate(input), duckSql);
      const settings = spill === undefined ? {} : { settings: { 'state.spill-threshold': spill } };
      const env = await testStream(`${DDL} INSERT INTO o ${sql};`, [...input.map(push), endInputs], settings);
      expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows(expected));
      const q = env.queries[0]!;
      expect(q.explain()).toContain('IntervalJoin');
      // append-only: no retraction ever reached the sink
      expect(env.engine.output('o').changes().every((c) => c.kind === 'insert')).toBe(true);
      const dropped = q.recentProgress.reduce((n, p) => n + (p.stateOperators[0]?.numRowsDroppedByWatermark ?? 0), 0);
      expect(dropped).toBe(input.flatMap((b) => b.rows).length - notLate(input).flatMap((b) => b.rows).length);
    }), fcParams({ numRuns: 12 }));
  });

  it('evicts state once the watermark passes a row\'s expiry', async () => {
    const sql = INTERVALS.inner[0];
    const env = await testStream(`${DDL} INSERT INTO o ${sql};`, [
      push({ table: 'l', rows: [{ k: 1, v: 1, ts: 1000 }, { k: 2, v: 1, ts: 1000 }] }),
      push({ table: 'r', rows: [{ k: 1, v: 2, ts: 2000 }] }),
      // watermark 9 s: l rows (expire at ts + 2 s) and the r row (expires at ts + 3 s) go
      push({ table: 'l', rows: [{ k: 3, v: 1, ts: 10_000 }] }),
      push({ table: 'r', rows: [{ k: 3, v: 5, ts: 10_000 }] }),
      push({ table: 'r', rows: [{ k: 9, v: 5, ts: 10_000 }] }),
    ]);
    expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows([{ lk: 1, a: 1, rk: 1, b: 2 }, { lk: 3, a: 1, rk: 3, b: 5 }]));
    const last = env.queries[0]!.lastProgress!.stateOperators[0]!;
    expect(last.numRowsTotal).toBe(3); // the three rows at 10 s
  });
});

describe('window joins: equal windows of two window aggregations', () => {
  const side = (t: string, v: string) => `(SELECT k, window_start AS ws, window_end AS we, CAST(COUNT(*) AS INT) AS n, CAST(MAX(${v}) AS INT) AS m
    FROM TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end)`;
  const sql = `SELECT L.k AS lk, L.n + L.m AS a, R.k AS rk, R.n + R.m AS b FROM ${side('l', 'a')} L JOIN ${side('r', 'b')} R
    ON L.k = R.k AND L.ws = R.ws AND L.we = R.we`;
  const duckSide = (t: string, v: string) => `(SELECT k, ts // 2000 AS w, COUNT(*) AS n, MAX(${v}) AS m FROM ${t} GROUP BY k, ts // 2000)`;
  const duckSql = `SELECT L.k AS lk, L.n + L.m AS a, R.k AS rk, R.n + R.m AS b FROM ${duckSide('l', 'a')} L JOIN ${duckSide('r', 'b')} R
    ON L.k = R.k AND L.w = R.w`;

  it('any split of in-order input gives DuckDB\'s result, with the state gone at the end', async () => {
    await fc.assert(fc.asyncProperty(batches(fc.integer({ min: 0, max: 40 }).map((s) => s * 250)), async (raw) => {
      // in time order (no row is late for its window), consecutive rows of one table in one batch
      const rows = raw.flatMap((b) => b.rows.map((r) => ({ table: b.table, r }))).sort((x, y) => x.r.ts - y.r.ts);
      const ordered: Batch[] = [];
      for (const { table, r } of rows) {
        const last = ordered[ordered.length - 1];
        if (last && last.table === table && last.rows.length < 4) (last.rows as In[]).push(r);
        else ordered.push({ table, rows: [r] });
      }
      const expected = await duck(ordered, duckSql);
      const env = await testStream(`${DDL} INSERT INTO o ${sql};`, [...ordered.map(push), endInputs]);
      expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows(expected));
      const q = env.queries[0]!;
      expect(q.explain()).toContain('WindowJoin');
      const join = q.lastProgress!.stateOperators.find((s) => s.operatorName === 'join')!;
      expect(join.numRowsTotal).toBe(0);
    }), fcParams({ numRuns: 8 }));
  });
});
