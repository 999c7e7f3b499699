/**
 * Properties over edge values that Weir got or gets wrong (issue 10): BIGINT past 2^53 in group keys,
 * joins, windows and sinks (keys and sinks pass since exact BIGINT landed; joins and windows fail); ROW
 * values as group keys, in a plain and a windowed aggregation; multi-column string keys that a
 * separator-joined encoding confuses; NaN, ±Infinity and NULL keys in one result. Each property is
 * exported here; the failing ones run from test/e2e/value-edges.properties.pending.ts, which becomes
 * a test (renamed *.test.ts) when the key codec lands. Every property compares with a JS model of the
 * same SQL, over any split of the input into micro-batches, and takes `fcParams` (a fresh seed,
 * WEIR_SEED to replay).
 *
 * `runOverSplit` is also what value-edges.test.ts uses for the edges that work today.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { canonicalInt64 } from '../../src/common/int64.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { batchSplits, type BatchSplit } from './batch-split.js';
import { fcParams } from './property.js';
import { edgeStrings, groupByModel, int64Edges, nullable, rowValues, sameKeyValue, separatorCollisions } from './value-edges.js';

export type Row = Record<string, unknown>;

/**
 * Create table `table` (memory), one memory sink per entry of `outputs` (name → [columns, SELECT]),
 * push `split`'s batches one at a time, end the input (so every window closes) and return each
 * sink's final result table.
 */
export async function runOverSplit(table: string, outputs: Record<string, readonly [string, string]>, split: BatchSplit): Promise<Record<string, Row[]>> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const names = Object.keys(outputs);
    const queries = await engine.execute([
      `CREATE TABLE ${table} WITH ('connector' = 'memory');`,
      ...names.map((n) => `CREATE TABLE ${n} (${outputs[n]![0]}) WITH ('connector' = 'memory'); INSERT INTO ${n} ${outputs[n]![1]};`),
    ].join('\n'));
    const input = table.slice(0, table.indexOf('(')).trim();
    for (const b of split.batches) {
      engine.input(input).push(b);
      for (const q of queries) await q.processAllAvailable();
    }
    engine.input(input).end();
    for (const q of queries) expect(await q.awaitTermination(10_000), 'the query finished its bounded input').toBe(true);
    return Object.fromEntries(names.map((n) => [n, engine.output(n).rows()]));
  } finally {
    await engine.stop();
  }
}

/** A sort key that keeps bigint exact (JSON.stringify refuses bigint; Number() would round it). */
function exactKey(v: unknown): string {
  // ±Infinity and NaN would stringify as null like NULL itself: keep them apart so the order is total
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? `${x}d` : x));
}

/** Rows in a canonical order, bigint values included. */
export function sortExact(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => exactKey(Object.keys(r).sort().map((k) => [k, r[k]]));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const split = <T extends Row>(row: fc.Arbitrary<T>, maxRows: number): fc.Arbitrary<BatchSplit> =>
  batchSplits(fc.array(row as fc.Arbitrary<Row>, { minLength: 1, maxLength: maxRows }), 5);

const sum = (rows: readonly Row[]): number => rows.reduce((s, r) => s + (r.v as number), 0);

/** GROUP BY a BIGINT near ±2^53 and ±2^63: 2^53 and 2^53 + 1 are two groups, each key comes back exact. */
export async function bigintGroupKeys(): Promise<void> {
  const rows = split(fc.record({ b: nullable(int64Edges), v: fc.integer({ min: 0, max: 9 }) }), 40);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (b BIGINT, v INT)', { o: ['b BIGINT, c BIGINT, sv INT', 'SELECT b, COUNT(*) AS c, SUM(v) AS sv FROM t GROUP BY b'] }, s);
    const want = groupByModel(s.rows, (r) => [r.b]).map((g) => ({ b: g.key[0], c: g.rows.length, sv: sum(g.rows) }));
    expect(sortExact(out.o!)).toEqual(sortExact(want));
  }), fcParams({ numRuns: 15 }));
}

/** BIGINT values past 2^53 reach the sink exactly, through a filter comparing them. */
export async function bigintThroughProjection(): Promise<void> {
  const rows = split(fc.record({ b: nullable(int64Edges), v: fc.integer({ min: 0, max: 9 }) }), 40);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (b BIGINT, v INT)', { o: ['b BIGINT, v INT', 'SELECT b, v FROM t WHERE b IS NULL OR b <> 9007199254740992'] }, s);
    expect(out.o).toEqual(s.rows.filter((r) => r.b !== 2n ** 53n));
  }), fcParams({ numRuns: 15 }));
}

/** A join on a BIGINT key past 2^53 pairs exactly the rows with equal keys. */
export async function bigintJoinKeys(): Promise<void> {
  const rows = split(fc.record({ b: nullable(int64Edges), v: fc.integer({ min: 0, max: 9 }) }), 20);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (b BIGINT, v INT)', {
      o: ['b BIGINT, lv INT, rv INT', 'SELECT l.b, l.v AS lv, r.v AS rv FROM t AS l JOIN t AS r ON l.b = r.b'],
    }, s);
    const want = s.rows.flatMap((l) => s.rows.filter((r) => l.b !== null && r.b === l.b).map((r) => ({ b: l.b, lv: l.v, rv: r.v })));
    expect(sortExact(out.o!)).toEqual(sortExact(want));
  }), fcParams({ numRuns: 10 }));
}

/** GROUP BY two STRING columns: ('x\u0001sy', 'z') and ('x', 'y\u0001sz') are two groups. */
export async function separatorStringKeys(): Promise<void> {
  const pairRows = separatorCollisions.chain(([p, q]) => fc.array(
    fc.record({ pick: fc.constantFrom(p, q, null), other: nullable(edgeStrings), v: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 30 },
  ).map((xs) => xs.map(({ pick, other, v }) => ({ k: pick ? pick[0] : other, k2: pick ? pick[1] : other, v }))));
  await fc.assert(fc.asyncProperty(batchSplits(pairRows as fc.Arbitrary<Row[]>, 5), async (s) => {
    const out = await runOverSplit('t (k STRING, k2 STRING, v INT)', { o: ['k STRING, k2 STRING, c BIGINT, sv INT', 'SELECT k, k2, COUNT(*) AS c, SUM(v) AS sv FROM t GROUP BY k, k2'] }, s);
    const want = groupByModel(s.rows, (r) => [r.k, r.k2]).map((g) => ({ k: g.key[0], k2: g.key[1], c: g.rows.length, sv: sum(g.rows) }));
    expect(sortExact(out.o!)).toEqual(sortExact(want));
  }), fcParams({ numRuns: 20 }));
}

/** GROUP BY a ROW value: equal ROWs (field by field, NULL fields included) are one group, different ones two. */
export async function rowGroupKeys(): Promise<void> {
  const rows = split(fc.record({ r: nullable(rowValues), v: fc.integer({ min: 0, max: 9 }) }), 40);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (r ROW<a INT, b STRING>, v INT)', { o: ['r ROW<a INT, b STRING>, c BIGINT, sv INT', 'SELECT r, COUNT(*) AS c, SUM(v) AS sv FROM t GROUP BY r'] }, s);
    const want = groupByModel(s.rows, (x) => [x.r]).map((g) => ({ r: g.key[0], c: g.rows.length, sv: sum(g.rows) }));
    expect(sortExact(out.o!)).toEqual(sortExact(want));
  }), fcParams({ numRuns: 20 }));
}

/** A tumbling window keyed by a ROW value: equal ROWs in one window are one group, not one per object. */
export async function rowWindowKeys(): Promise<void> {
  const rows = split(fc.record({ r: nullable(rowValues), ts: fc.integer({ min: 0, max: 5 }).map((i) => i * 400), v: fc.integer({ min: 0, max: 9 }) }), 40);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (r ROW<a INT, b STRING>, ts TIMESTAMP(3), v INT, WATERMARK FOR ts AS ts - INTERVAL \'5\' SECOND)', {
      o: ['r ROW<a INT, b STRING>, ws TIMESTAMP(3), c BIGINT', `SELECT r, window_start AS ws, COUNT(*) AS c
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY r, window_start, window_end`],
    }, s);
    const want = groupByModel(s.rows, (x) => [x.r, Math.floor((x.ts as number) / 1000) * 1000])
      .map((g) => ({ r: g.key[0], ws: g.key[1], c: g.rows.length }));
    const got: Row[] = out.o!.map((x) => ({ ...x, ws: x.ws instanceof Date ? x.ws.getTime() : x.ws }));
    expect(sortExact(got)).toEqual(sortExact(want));
    expect(got.every((x) => want.some((w) => sameKeyValue(w.r, x.r)))).toBe(true);
  }), fcParams({ numRuns: 15 }));
}

/**
 * GROUP BY a DOUBLE with NaN, ±Infinity and NULL keys side by side: four groups (the memory sink keys
 * its result rows by their JSON, where all four are null).
 */
export async function nanAndNullDoubleKeys(): Promise<void> {
  const rows = split(fc.record({ x: fc.constantFrom(Number.NaN, null, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1.5), v: fc.integer({ min: 0, max: 9 }) }), 30);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (x DOUBLE, v INT)', { o: ['x DOUBLE, c BIGINT', 'SELECT x, COUNT(*) AS c FROM t GROUP BY x'] }, s);
    const tagged = (xs: readonly Row[]): Row[] => xs.map((r) => ({ ...r, x: Number.isNaN(r.x) ? 'NaN' : Object.is(r.x, -0) ? 0 : r.x }));
    const want = groupByModel(s.rows, (r) => [r.x]).map((g) => ({ x: g.key[0], c: g.rows.length }));
    expect(sortExact(tagged(out.o!))).toEqual(sortExact(tagged(want)));
  }), fcParams({ numRuns: 20 }));
}

/** A tumbling window's SUM, MIN and MAX of BIGINT values past 2^53 are exact (an internal TypeError today). */
export async function bigintWindowAggregates(): Promise<void> {
  const rows = split(fc.record({ b: int64Edges.filter((b) => typeof b === 'number' || (b < 2n ** 60n && b > -(2n ** 60n))),
    ts: fc.integer({ min: 0, max: 5 }).map((i) => i * 400), g: fc.constantFrom('p', 'q') }), 30);
  await fc.assert(fc.asyncProperty(rows, async (s) => {
    const out = await runOverSplit('t (g STRING, b BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL \'5\' SECOND)', {
      o: ['g STRING, ws TIMESTAMP(3), sb BIGINT, nb BIGINT, xb BIGINT', `SELECT g, window_start AS ws, SUM(b) AS sb, MIN(b) AS nb, MAX(b) AS xb
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY g, window_start, window_end`],
    }, s);
    const big = (r: Row): bigint => BigInt(r.b as number | bigint);
    const want = groupByModel(s.rows, (x) => [x.g, Math.floor((x.ts as number) / 1000) * 1000]).map((grp) => {
      const bs = grp.rows.map(big);
      return { g: grp.key[0], ws: grp.key[1], sb: canonicalInt64(bs.reduce((a, b) => a + b, 0n)),
        nb: canonicalInt64(bs.reduce((a, b) => (b < a ? b : a))), xb: canonicalInt64(bs.reduce((a, b) => (b > a ? b : a))) };
    });
    const got: Row[] = out.o!.map((x) => ({ ...x, ws: x.ws instanceof Date ? x.ws.getTime() : x.ws }));
    expect(sortExact(got)).toEqual(sortExact(want));
  }), fcParams({ numRuns: 15 }));
}

/**
 * The properties above that fail today, by name, for the pending test file. bigintGroupKeys and
 * bigintThroughProjection pass since exact BIGINT landed: value-edges.test.ts runs them.
 */
export const VALUE_EDGE_PROPERTIES: Readonly<Record<string, () => Promise<void>>> = {
  'BIGINT past 2^53 as a join key': bigintJoinKeys,
  'two STRING keys that a joined encoding confuses': separatorStringKeys,
  'ROW as a group key': rowGroupKeys,
  'ROW as a window group key': rowWindowKeys,
  'DOUBLE keys NaN, ±Infinity and NULL side by side': nanAndNullDoubleKeys,
  'BIGINT past 2^53 aggregated in a window': bigintWindowAggregates,
};
