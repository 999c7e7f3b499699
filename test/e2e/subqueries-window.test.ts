/**
 * Window and interval semi / anti joins (EXISTS / NOT EXISTS / IN with equal windows on both sides,
 * over window aggregations and over window TVFs, or a time range between the rowtimes) against DuckDB: rows in time order, split into batches any way,
 * give DuckDB's result; the output is append-only (a left row is decided when its window closes) and
 * the state is gone once the watermark passed every window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../support/property.js';
import { execute, sortRows, testStream, type Action, type Row } from '../support/stream-test.js';
import { duckTwoTables, endTwoTables, pushTwoTables } from '../support/two-tables.js';

interface In { readonly k: number; readonly v: number; readonly ts: number }
type Batch = { readonly table: 'l' | 'r'; readonly rows: readonly In[] };

const DDL = `
  CREATE TABLE l (k INT, a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE r (k INT, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE o (k INT, a INT) WITH ('connector' = 'memory');
`;

const duck = (batches: readonly Batch[], sql: string): Promise<Row[]> => duckTwoTables(batches, sql, true);
const push = (b: Batch): Action => pushTwoTables(b, true);
const endInputs = endTwoTables;


/** Rows in time order (none late for its window), consecutive rows of one table batched together. */
const ordered: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({ table: fc.constantFrom('l' as const, 'r' as const), k: fc.integer({ min: 0, max: 3 }), v: fc.integer({ min: 0, max: 9 }), ts: fc.integer({ min: 0, max: 40 }).map((s) => s * 250) }),
  { minLength: 1, maxLength: 40 },
).chain((rows) => fc.array(fc.integer({ min: 1, max: 5 }), { minLength: rows.length, maxLength: rows.length }).map((sizes) => {
  const sorted = [...rows].sort((x, y) => x.ts - y.ts);
  const out: Batch[] = [];
  sorted.forEach((r, i) => {
    const last = out[out.length - 1];
    const row = { k: r.k, v: r.v, ts: r.ts };
    if (last && last.table === r.table && last.rows.length < sizes[i]!) (last.rows as In[]).push(row);
    else out.push({ table: r.table, rows: [row] });
  });
  return out;
}));

const tvf = (t: string): string => `TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '2' SECOND))`;
const agg = (t: string, v: string): string => `(SELECT k, window_start AS ws, window_end AS we, CAST(COUNT(*) + MAX(${v}) AS INT) AS n FROM ${tvf(t)} GROUP BY k, window_start, window_end)`;
const duckAgg = (t: string, v: string): string => `(SELECT k, ts // 2000 AS w, COUNT(*) + MAX(${v}) AS n FROM ${t} GROUP BY k, ts // 2000)`;

const CASES: Record<string, readonly [string, string, string]> = {
  // [Weir SQL, DuckDB SQL, the EXPLAIN node]
  tvfSemi: [
    `SELECT k, a FROM ${tvf('l')} L WHERE EXISTS (SELECT * FROM ${tvf('r')} R WHERE R.k = L.k AND R.window_start = L.window_start AND R.window_end = L.window_end)`,
    'SELECT k, a FROM l L WHERE EXISTS (SELECT * FROM r R WHERE R.k = L.k AND R.ts // 2000 = L.ts // 2000)',
    'WindowSemiJoin(semi',
  ],
  tvfAnti: [
    `SELECT k, a FROM ${tvf('l')} L WHERE NOT EXISTS (SELECT * FROM ${tvf('r')} R WHERE R.k = L.k AND R.window_start = L.window_start AND R.window_end = L.window_end AND R.b > L.a)`,
    'SELECT k, a FROM l L WHERE NOT EXISTS (SELECT * FROM r R WHERE R.k = L.k AND R.ts // 2000 = L.ts // 2000 AND R.b > L.a)',
    'WindowAntiJoin(anti',
  ],
  // Flink's window semi join as its documentation writes it: a correlated IN
  tvfIn: [
    `SELECT k, a FROM ${tvf('l')} L WHERE L.k IN (SELECT k FROM ${tvf('r')} R WHERE R.window_start = L.window_start AND R.window_end = L.window_end)`,
    'SELECT k, a FROM l L WHERE L.k IN (SELECT k FROM r R WHERE R.ts // 2000 = L.ts // 2000)',
    'WindowSemiJoin(semi',
  ],
  // a time range between the sides' rowtimes: an interval semi / anti join, decided when the left row expires
  intervalSemi: [
    "SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.ts BETWEEN l.ts - INTERVAL '1' SECOND AND l.ts + INTERVAL '2' SECOND)",
    'SELECT k, a FROM l WHERE EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.ts BETWEEN l.ts - 1000 AND l.ts + 2000)',
    'IntervalSemiJoin(semi',
  ],
  intervalAnti: [
    "SELECT k, a FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b > l.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '1' SECOND)",
    'SELECT k, a FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.k = l.k AND r.b > l.a AND r.ts BETWEEN l.ts AND l.ts + 1000)',
    'IntervalAntiJoin(anti',
  ],
  aggregateSemi: [
    `SELECT k, n AS a FROM ${agg('l', 'a')} L WHERE EXISTS (SELECT * FROM ${agg('r', 'b')} R WHERE R.k = L.k AND R.ws = L.ws AND R.we = L.we)`,
    `SELECT k, n AS a FROM ${duckAgg('l', 'a')} L WHERE EXISTS (SELECT * FROM ${duckAgg('r', 'b')} R WHERE R.k = L.k AND R.w = L.w)`,
    'WindowSemiJoin(semi',
  ],
  aggregateAnti: [
    `SELECT k, n AS a FROM ${agg('l', 'a')} L WHERE NOT EXISTS (SELECT * FROM ${agg('r', 'b')} R WHERE R.k = L.k AND R.ws = L.ws AND R.we = L.we)`,
    `SELECT k, n AS a FROM ${duckAgg('l', 'a')} L WHERE NOT EXISTS (SELECT * FROM ${duckAgg('r', 'b')} R WHERE R.k = L.k AND R.w = L.w)`,
    'WindowAntiJoin(anti',
  ],
};

describe('window semi / anti joins: DuckDB\'s result, append-only, state purged', () => {
  it.each(Object.entries(CASES))('%s', async (_name, [sql, duckSql, node]) => {
    await fc.assert(fc.asyncProperty(ordered, async (input) => {
      const expected = await duck(input, duckSql);
      const env = await testStream(`${DDL} INSERT INTO o ${sql};`, [...input.map(push), endInputs]);
      expect(sortRows(env.engine.output('o').rows())).toEqual(sortRows(expected));
      const q = env.queries[0]!;
      expect(q.explain()).toContain(node);
      expect(q.explain()).toContain('(output mode: append)');
      expect(env.engine.output('o').changes().every((c) => c.kind === 'insert')).toBe(true);
      const semi = q.lastProgress!.stateOperators.find((s) => s.operatorName === 'semiJoin' || s.operatorName === 'antiJoin')!;
      expect(semi.numRowsTotal).toBe(0);
    }), fcParams({ numRuns: 8 }));
  });

  it('emits a left row only when its window closes', async () => {
    const [sql] = CASES.tvfSemi!;
    const env = await testStream(`${DDL} INSERT INTO o ${sql};`, [
      push({ table: 'l', rows: [{ k: 1, v: 7, ts: 100 }] }),
      push({ table: 'r', rows: [{ k: 1, v: 0, ts: 200 }] }),
      execute(({ engine }) => { expect(engine.output('o').rows()).toEqual([]); }),
      // the watermark passes 2 s: the window [0, 2 s) closes
      push({ table: 'l', rows: [{ k: 2, v: 1, ts: 3500 }] }),
      push({ table: 'r', rows: [{ k: 2, v: 1, ts: 3600 }] }),
      execute(({ engine }) => { expect(engine.output('o').rows()).toEqual([{ k: 1, a: 7 }]); }),
    ]);
    expect(env.queries[0]!.lastProgress!.stateOperators.find((s) => s.operatorName === 'semiJoin')!.numRowsTotal).toBe(2);
  });
});
