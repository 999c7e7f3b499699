import { describe, expect, it } from 'vitest';
import { call, cast, col, constant, evalCol, evalRows, lit, schemaOf, T } from './helpers.js';
import type { BoundExpr, Case } from '../../../src/planner/expr.js';

const d = (x: number | null): BoundExpr => lit(x, T.DOUBLE);
const num = (fn: Parameters<typeof call>[0], t = T.DOUBLE, ...args: BoundExpr[]) => constant(call(fn, t, ...args));

describe('math', () => {
  it('ROUND is half-up, with negative digits, and keeps integer types', () => {
    expect(num('round', T.DOUBLE, d(2.5))).toBe(3);
    expect(num('round', T.DOUBLE, d(-2.5))).toBe(-3);
    expect(num('round', T.DOUBLE, d(1.005), lit(2, T.INT))).toBe(1.01);
    expect(num('round', T.DOUBLE, d(1234.5678), lit(-2, T.INT))).toBe(1200);
    expect(num('round', T.DOUBLE, d(-0.125), lit(2, T.INT))).toBe(-0.13);
    expect(num('round', T.INT, lit(17, T.INT), lit(-1, T.INT))).toBe(20);
    expect(num('round', T.DOUBLE, d(null))).toBe(null);
  });
  it('TRUNCATE cuts toward zero', () => {
    expect(num('truncate', T.DOUBLE, d(0.29), lit(2, T.INT))).toBe(0.29);
    expect(num('truncate', T.DOUBLE, d(-1.999), lit(1, T.INT))).toBe(-1.9);
    expect(num('truncate', T.DOUBLE, d(1.999))).toBe(1);
  });
  it('ABS, FLOOR, CEIL, SIGN, POWER, SQRT, EXP, LN, LOG10', () => {
    expect(evalCol(T.DOUBLE, [-1.5, null, 2.5], (x) => call('abs', T.DOUBLE, x))).toEqual([1.5, null, 2.5]);
    expect(evalCol(T.DOUBLE, [-1.5, 2.5], (x) => call('floor', T.DOUBLE, x))).toEqual([-2, 2]);
    expect(evalCol(T.DOUBLE, [-1.5, 2.5], (x) => call('ceil', T.DOUBLE, x))).toEqual([-1, 3]);
    expect(evalCol(T.INT, [-4, 0, 9], (x) => call('sign', T.INT, x))).toEqual([-1, 0, 1]);
    expect(num('power', T.DOUBLE, d(2), d(10))).toBe(1024);
    expect(num('sqrt', T.DOUBLE, d(16))).toBe(4);
    expect(num('exp', T.DOUBLE, d(0))).toBe(1);
    expect(num('ln', T.DOUBLE, d(Math.E))).toBe(1);
    expect(num('log10', T.DOUBLE, d(1000))).toBe(3);
  });
  it('GREATEST and LEAST are NULL when any argument is', () => {
    const s = schemaOf({ a: T.INT, b: T.INT });
    const rows = [{ a: 1, b: 5 }, { a: 7, b: 2 }, { a: null, b: 2 }];
    expect(evalRows(call('greatest', T.INT, col(0, 'a', T.INT), col(1, 'b', T.INT), lit(3, T.INT)), s, rows)).toEqual([5, 7, null]);
    expect(evalRows(call('least', T.INT, col(0, 'a', T.INT), col(1, 'b', T.INT), lit(3, T.INT)), s, rows)).toEqual([1, 2, null]);
    expect(constant(call('greatest', T.VARCHAR, lit('b', T.VARCHAR), lit('ab', T.VARCHAR)))).toBe('b');
  });
  it('RAND is in [0, 1) and RAND(seed) repeats its sequence', () => {
    const r = evalCol(T.INT, [1, 2, 3], () => call('rand', T.DOUBLE)) as number[];
    for (const x of r) expect(x >= 0 && x < 1).toBe(true);
    const a = evalCol(T.INT, [1, 2, 3], () => call('rand', T.DOUBLE, lit(42, T.INT)));
    const b = evalCol(T.INT, [1, 2, 3], () => call('rand', T.DOUBLE, lit(42, T.INT)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(3);
  });
});

describe('conditionals', () => {
  const s = schemaOf({ x: T.INT, v: T.VARCHAR });
  const x = col(0, 'x', T.INT), v = col(1, 'v', T.VARCHAR);
  const rows = [{ x: 1, v: 'a' }, { x: 5, v: null }, { x: null, v: 'c' }, { x: 10, v: 'd' }];

  it('CASE takes the first TRUE condition; NULL conditions are not TRUE', () => {
    const e: Case = {
      kind: 'case', type: T.VARCHAR,
      whens: [
        { when: call('lt', T.BOOLEAN, x, lit(3, T.INT)), then: lit('small', T.VARCHAR) },
        { when: call('lt', T.BOOLEAN, x, lit(8, T.INT)), then: v },
        { when: call('gt', T.BOOLEAN, x, lit(0, T.INT)), then: lit('big', T.VARCHAR) },
      ],
      else: lit('none', T.VARCHAR),
    };
    expect(evalRows(e, s, rows)).toEqual(['small', null, 'none', 'big']);
    expect(evalRows({ ...e, else: undefined }, s, rows)).toEqual(['small', null, null, 'big']);
  });
  it('CASE evaluates a failing branch only on its own rows', () => {
    const e: Case = {
      kind: 'case', type: T.INT,
      whens: [{ when: call('regexp', T.BOOLEAN, v, lit('^\\d+$', T.VARCHAR)), then: cast(v, T.INT) }],
      else: lit(-1, T.INT),
    };
    expect(evalRows(e, s, [{ x: 0, v: '12' }, { x: 0, v: 'abc' }, { x: 0, v: null }, { x: 0, v: '7' }])).toEqual([12, -1, -1, 7]);
  });
  it('IF, COALESCE and NULLIF', () => {
    expect(evalRows(call('if', T.INT, call('gt', T.BOOLEAN, x, lit(3, T.INT)), x, lit(0, T.INT)), s, rows)).toEqual([0, 5, 0, 10]);
    expect(evalRows(call('coalesce', T.VARCHAR, v, lit('z', T.VARCHAR)), s, rows)).toEqual(['a', 'z', 'c', 'd']);
    expect(evalRows(call('coalesce', T.INT, lit(null, T.INT), x), s, rows)).toEqual([1, 5, null, 10]);
    expect(evalRows(call('coalesce', T.INT, x, cast(v, T.INT)), s, [{ x: 1, v: 'bad' }])).toEqual([1]);
    expect(evalRows(call('nullif', T.INT, x, lit(5, T.INT)), s, rows)).toEqual([1, null, null, 10]);
    expect(evalRows(call('nullif', T.VARCHAR, v, lit('a', T.VARCHAR)), s, rows)).toEqual([null, null, 'c', 'd']);
  });
});
