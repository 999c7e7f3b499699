import { describe, expect, it } from 'vitest';
import { call, cast, col, evalRows, lit, schemaOf, selected, T } from './helpers.js';
import { rowsToBatch } from '../../../src/common/columns.js';
import * as arrow from 'apache-arrow';
import { compilePredicate } from '../../../src/executor/expr/compile.js';
import { ctx } from './helpers.js';

const B = [true, false, null] as const;
const s2 = schemaOf({ p: T.BOOLEAN, q: T.BOOLEAN });
const p = col(0, 'p', T.BOOLEAN), q = col(1, 'q', T.BOOLEAN);
const pairs = B.flatMap((x) => B.map((y) => ({ p: x, q: y })));

function and3(x: boolean | null, y: boolean | null): boolean | null {
  if (x === false || y === false) return false;
  if (x === null || y === null) return null;
  return true;
}
function or3(x: boolean | null, y: boolean | null): boolean | null {
  if (x === true || y === true) return true;
  if (x === null || y === null) return null;
  return false;
}

describe('three-valued logic', () => {
  it('AND follows the SQL truth table', () => {
    expect(evalRows(call('and', T.BOOLEAN, p, q), s2, pairs)).toEqual(pairs.map((r) => and3(r.p, r.q)));
  });
  it('OR follows the SQL truth table', () => {
    expect(evalRows(call('or', T.BOOLEAN, p, q), s2, pairs)).toEqual(pairs.map((r) => or3(r.p, r.q)));
  });
  it('NOT keeps NULL', () => {
    expect(evalRows(call('not', T.BOOLEAN, p), s2, pairs.slice(0, 3).map((r) => ({ p: r.q, q: null }))))
      .toEqual([false, true, null]);
  });
  it('IS [NOT] TRUE/FALSE/NULL are never NULL', () => {
    const rows = B.map((x) => ({ p: x, q: null }));
    expect(evalRows(call('is_true', T.BOOLEAN, p), s2, rows)).toEqual([true, false, false]);
    expect(evalRows(call('is_false', T.BOOLEAN, p), s2, rows)).toEqual([false, true, false]);
    expect(evalRows(call('is_not_true', T.BOOLEAN, p), s2, rows)).toEqual([false, true, true]);
    expect(evalRows(call('is_not_false', T.BOOLEAN, p), s2, rows)).toEqual([true, false, true]);
    expect(evalRows(call('is_null', T.BOOLEAN, p), s2, rows)).toEqual([false, false, true]);
    expect(evalRows(call('is_not_null', T.BOOLEAN, p), s2, rows)).toEqual([true, true, false]);
  });
  it('AND does not evaluate a failing right side where the left side is FALSE', () => {
    const s = schemaOf({ v: T.VARCHAR });
    const v = col(0, 'v', T.VARCHAR);
    const e = call('and', T.BOOLEAN, call('ne', T.BOOLEAN, v, lit('abc', T.VARCHAR)),
      call('gt', T.BOOLEAN, cast(v, T.INT), lit(5, T.INT)));
    expect(evalRows(e, s, [{ v: '7' }, { v: 'abc' }, { v: '1' }, { v: null }])).toEqual([true, false, false, null]);
    const o = call('or', T.BOOLEAN, call('eq', T.BOOLEAN, v, lit('abc', T.VARCHAR)), call('gt', T.BOOLEAN, cast(v, T.INT), lit(5, T.INT)));
    expect(evalRows(o, s, [{ v: '7' }, { v: 'abc' }, { v: '1' }])).toEqual([true, true, false]);
    expect(() => evalRows(e, s, [{ v: 'xyz' }])).toThrow(/cannot cast 'xyz' to INT/);
  });
});

describe('comparisons', () => {
  const s = schemaOf({ a: T.DOUBLE, b: T.DOUBLE });
  const a = col(0, 'a', T.DOUBLE), b = col(1, 'b', T.DOUBLE);
  const rows = [{ a: 1, b: 2 }, { a: 2, b: 2 }, { a: 3, b: 2 }, { a: null, b: 2 }, { a: 1, b: null }];
  it.each([
    ['eq', [false, true, false, null, null]], ['ne', [true, false, true, null, null]],
    ['lt', [true, false, false, null, null]], ['le', [true, true, false, null, null]],
    ['gt', [false, false, true, null, null]], ['ge', [false, true, true, null, null]],
  ] as const)('%s column to column and to a constant on either side', (op, want) => {
    expect(evalRows(call(op, T.BOOLEAN, a, b), s, rows)).toEqual(want);
    expect(evalRows(call(op, T.BOOLEAN, a, lit(2, T.DOUBLE)), s, rows).slice(0, 4)).toEqual(want.slice(0, 4));
    // 2 op a is a flipped
    const flipped = evalRows(call(op, T.BOOLEAN, lit(2, T.DOUBLE), a), s, rows).slice(0, 3);
    const mirror = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const;
    expect(flipped).toEqual(evalRows(call(mirror[op], T.BOOLEAN, a, lit(2, T.DOUBLE)), s, rows).slice(0, 3));
  });
  it('comparing with a NULL constant gives NULL', () => {
    expect(evalRows(call('eq', T.BOOLEAN, a, lit(null, T.DOUBLE)), s, rows.slice(0, 2))).toEqual([null, null]);
  });
  it('compares a Utf8 column with a literal by bytes, in code-point order', () => {
    const sv = schemaOf({ v: T.VARCHAR });
    const v = col(0, 'v', T.VARCHAR);
    const vals = ['apple', 'banana', 'äpfel', '', null, 'app', '😀', '\uFFFD'];
    const rows2 = vals.map((x) => ({ v: x }));
    const cp = (x: string, y: string) => { const a1 = Array.from(x, (c) => c.codePointAt(0)!), b1 = Array.from(y, (c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(a1.length, b1.length); i++) if (a1[i] !== b1[i]) return a1[i]! - b1[i]!; return a1.length - b1.length; };
    for (const k of ['apple', 'app', '', '😀']) {
      expect(evalRows(call('eq', T.BOOLEAN, v, lit(k, T.VARCHAR)), sv, rows2)).toEqual(vals.map((x) => (x === null ? null : x === k)));
      expect(evalRows(call('lt', T.BOOLEAN, v, lit(k, T.VARCHAR)), sv, rows2)).toEqual(vals.map((x) => (x === null ? null : cp(x, k) < 0)));
      expect(evalRows(call('ge', T.BOOLEAN, v, lit(k, T.VARCHAR)), sv, rows2)).toEqual(vals.map((x) => (x === null ? null : cp(x, k) >= 0)));
    }
    // column vs column, both Utf8
    const s3 = schemaOf({ x: T.VARCHAR, y: T.VARCHAR });
    expect(evalRows(call('lt', T.BOOLEAN, col(0, 'x', T.VARCHAR), col(1, 'y', T.VARCHAR)), s3,
      [{ x: 'a', y: 'b' }, { x: '😀', y: '\uFFFD' }, { x: 'b', y: 'b' }])).toEqual([true, false, false]);
  });
  it('IS [NOT] DISTINCT FROM treats NULLs as equal and is never NULL', () => {
    const r = [{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: null, b: null }, { a: null, b: 1 }];
    expect(evalRows(call('is_distinct_from', T.BOOLEAN, a, b), s, r)).toEqual([false, true, false, true]);
    expect(evalRows(call('is_not_distinct_from', T.BOOLEAN, a, b), s, r)).toEqual([true, false, true, false]);
  });
  it('IN is TRUE on a match, else NULL if anything was NULL, else FALSE', () => {
    const r = [{ a: 1, b: 5 }, { a: 4, b: 5 }, { a: null, b: 5 }, { a: 5, b: 5 }];
    expect(evalRows(call('in', T.BOOLEAN, a, lit(1, T.DOUBLE), lit(2, T.DOUBLE)), s, r)).toEqual([true, false, null, false]);
    expect(evalRows(call('in', T.BOOLEAN, a, lit(1, T.DOUBLE), lit(null, T.DOUBLE)), s, r)).toEqual([true, null, null, null]);
    expect(evalRows(call('in', T.BOOLEAN, a, lit(1, T.DOUBLE), b), s, r)).toEqual([true, false, null, true]);
    const sv = schemaOf({ v: T.VARCHAR });
    expect(evalRows(call('in', T.BOOLEAN, col(0, 'v', T.VARCHAR), lit('x', T.VARCHAR), lit('y', T.VARCHAR)), sv,
      [{ v: 'y' }, { v: 'z' }, { v: null }])).toEqual([true, false, null]);
  });
});

describe('predicates', () => {
  it('select exactly the rows where the condition is TRUE', () => {
    const s = schemaOf({ x: T.INT });
    const x = col(0, 'x', T.INT);
    const rows = [1, null, 3, 4, null, 6].map((v) => ({ x: v }));
    expect(selected(call('gt', T.BOOLEAN, x, lit(2, T.INT)), s, rows)).toEqual([2, 3, 5]);
    expect(selected(call('not', T.BOOLEAN, call('gt', T.BOOLEAN, x, lit(2, T.INT))), s, rows)).toEqual([0]);
    expect(selected(call('is_null', T.BOOLEAN, x), s, rows)).toEqual([1, 4]);
    expect(selected(lit(true, T.BOOLEAN), s, rows)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(selected(lit(null, T.BOOLEAN), s, rows)).toEqual([]);
  });
  it('work on a sliced batch (offset ≠ 0) and can run many times', () => {
    const s = schemaOf({ x: T.INT });
    const batch = rowsToBatch(s, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, null, 11].map((v) => ({ x: v })));
    const sliced = batch.slice(3, 11) as arrow.RecordBatch; // 3..10
    expect(sliced.data.children[0]!.offset).toBe(3);
    const pred = compilePredicate(call('eq', T.BOOLEAN, call('mod', T.INT, col(0, 'x', T.INT), lit(2, T.INT)), lit(0, T.INT)), s, ctx);
    for (let k = 0; k < 3; k++) {
      const r = pred(sliced);
      expect(Array.from(r.indices.subarray(0, r.count))).toEqual([1, 3, 5]); // 4, 6, 8
      const all = pred(batch);
      expect(Array.from(all.indices.subarray(0, all.count))).toEqual([0, 2, 4, 6, 8]);
    }
  });
});
