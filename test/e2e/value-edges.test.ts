/**
 * Properties over edge values that the engine handles today (test/support/value-edges.ts): strings
 * with separators, quotes, newlines and unicode as single group keys and through projections; NULL
 * keys; DOUBLE keys with NaN and -0 (SQL puts NaNs in one group and -0 with 0); BIGINT keys at the
 * edge of safe integers, and past 2^53 and near ±2^63 (exact BIGINT); ROW values carried through a
 * projection. Results are compared with a JS
 * model of the same SQL, over any split of the input into micro-batches.
 *
 * The edges that break today (BIGINT past 2^53 in join keys, ROW keys, multi-column string keys that a
 * joined encoding confuses, a NaN and a NULL key side by side) are in test/support/value-edge-properties.ts, run by
 * value-edges.properties.pending.ts until the key codec and exact BIGINT land.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchSplits, type BatchSplit } from '../support/batch-split.js';
import { fcParams } from '../support/property.js';
import { doubleEdges, edgeStrings, groupByModel, nullable, rowValues, safeIntegerEdges } from '../support/value-edges.js';
import { bigintGroupKeys, bigintThroughProjection, runOverSplit, type Row } from '../support/value-edge-properties.js';
import { sortRows } from '../support/stream-test.js';

const TABLE = 't (k STRING, x DOUBLE, b BIGINT, r ROW<a INT, b STRING>, v INT)';

const rowArb: fc.Arbitrary<Row> = fc.record({
  k: nullable(edgeStrings),
  x: nullable(doubleEdges),
  b: nullable(safeIntegerEdges),
  r: nullable(rowValues),
  v: fc.integer({ min: -9, max: 9 }),
});

const splitArb: fc.Arbitrary<BatchSplit> = batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 60 }), 6);

/** A group's key as SQL shows it: -0 and 0 are one value (either may be printed). */
const zero = (v: unknown): unknown => (Object.is(v, -0) ? 0 : v);

/** The model of GROUP BY x with COUNT(*). */
const doubleGroups = (rows: readonly Row[]): Row[] => groupByModel(rows, (r) => [r.x]).map((g) => ({ x: g.key[0], c: g.rows.length }));

/** Rows with x made comparable in sortRows' JSON (where NaN and NULL both print null): NaN as text, -0 as 0. */
const numbered = (rows: readonly Row[]): Row[] => rows.map((r) => ({ ...r, x: Number.isNaN(r.x) ? 'NaN' : zero(r.x) }));

describe('edge values that work today, over any split into batches', () => {
  it('group by a STRING with separators and unicode, NULL included', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      const out = await runOverSplit(TABLE, { o: ['k STRING, c BIGINT, sv BIGINT', 'SELECT k, COUNT(*) AS c, SUM(v) AS sv FROM t GROUP BY k'] }, split);
      const want = groupByModel(split.rows, (r) => [r.k]).map((g) => ({ k: g.key[0], c: g.rows.length, sv: g.rows.reduce((s, r) => s + (r.v as number), 0) }));
      expect(sortRows(out.o!)).toEqual(sortRows(want));
    }), fcParams({ numRuns: 20 }));
  });

  it('group by a DOUBLE: one group for NaN, -0 with 0', async () => {
    // NULL and the infinities are left out: the memory sink keys rows by their JSON, where NaN, NULL
    // and ±Infinity are all null, so they overwrite each other today (value-edge-properties.ts)
    const noNull = splitArb.map((s) => {
      const fix = (r: Row): Row => ({ ...r, x: r.x === null || r.x === Infinity || r.x === -Infinity ? 1.5 : r.x });
      return { rows: s.rows.map(fix), batches: s.batches.map((b) => b.map(fix)) };
    });
    await fc.assert(fc.asyncProperty(noNull, async (split) => {
      const out = await runOverSplit(TABLE, { o: ['x DOUBLE, c BIGINT', 'SELECT x, COUNT(*) AS c FROM t GROUP BY x'] }, split);
      expect(out.o!.filter((r) => Number.isNaN(r.x)).length, 'one NaN group').toBe(split.rows.some((r) => Number.isNaN(r.x)) ? 1 : 0);
      expect(sortRows(numbered(out.o!))).toEqual(sortRows(numbered(doubleGroups(split.rows))));
    }), fcParams({ numRuns: 20 }));
  });

  it('group by a BIGINT at the edge of safe integers', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      const out = await runOverSplit(TABLE, { o: ['b BIGINT, c BIGINT, mv INT', 'SELECT b, COUNT(*) AS c, MAX(v) AS mv FROM t GROUP BY b'] }, split);
      const want = groupByModel(split.rows, (r) => [r.b]).map((g) => ({ b: g.key[0], c: g.rows.length, mv: Math.max(...g.rows.map((r) => r.v as number)) }));
      expect(sortRows(out.o!)).toEqual(sortRows(want));
    }), fcParams({ numRuns: 20 }));
  });

  it('carries strings, NaN, -0, safe BIGINTs and ROW values through a filter and projection unchanged', async () => {
    await fc.assert(fc.asyncProperty(splitArb, async (split) => {
      const out = await runOverSplit(TABLE, {
        o: ['k STRING, x DOUBLE, b BIGINT, r ROW<a INT, b STRING>', 'SELECT k, x, b, r FROM t WHERE v >= 0'],
      }, split);
      const want = split.rows.filter((r) => (r.v as number) >= 0).map(({ k, x, b, r }) => ({ k, x, b, r }));
      // toEqual tells -0 from 0 and compares NaN with NaN; the order is the input's (one source, no shuffle)
      expect(out.o).toEqual(want);
    }), fcParams({ numRuns: 20 }));
  });

  // exact BIGINT landed (main 3f6bf20): these left value-edges.properties.pending.ts
  it('group by a BIGINT near ±2^53 and ±2^63: neighbours apart, keys exact', bigintGroupKeys);
  it('carries BIGINT past 2^53 through a filter to the sink exactly', bigintThroughProjection);
});
