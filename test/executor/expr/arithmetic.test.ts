import { describe, expect, it } from 'vitest';
import { WeirError } from '../../../src/common/errors.js';
import { call, cast, col, constant, evalCol, evalRows, lit, schemaOf, T } from './helpers.js';

describe('arithmetic', () => {
  const s = schemaOf({ a: T.INT, b: T.INT });
  const a = col(0, 'a', T.INT), b = col(1, 'b', T.INT);
  const rows = [{ a: 7, b: 2 }, { a: -7, b: 2 }, { a: null, b: 1 }, { a: 1, b: null }, { a: 7, b: -3 }];

  it('adds, subtracts and multiplies column with column, NULL in gives NULL out', () => {
    expect(evalRows(call('add', T.INT, a, b), s, rows)).toEqual([9, -5, null, null, 4]);
    expect(evalRows(call('subtract', T.INT, a, b), s, rows)).toEqual([5, -9, null, null, 10]);
    expect(evalRows(call('multiply', T.INT, a, b), s, rows)).toEqual([14, -14, null, null, -21]);
  });

  it('MOD of integers is the truncated remainder with the sign of the dividend', () => {
    expect(evalRows(call('mod', T.INT, a, b), s, rows)).toEqual([1, -1, null, null, 1]);
    expect(evalRows(call('mod', T.INT, a, lit(3, T.INT)), s, rows)).toEqual([1, -1, null, 1, 1]);
    expect(evalRows(call('mod', T.INT, lit(10, T.INT), b), s, rows)).toEqual([0, 0, 0, null, 1]);
  });

  it('MOD of large BIGINTs stays exact below 2^53', () => {
    const big = 2 ** 53 - 1;
    expect(evalCol(T.BIGINT, [big, -big, 123 * 1e12], (x) => call('mod', T.BIGINT, x, lit(1000, T.BIGINT))))
      .toEqual([big % 1000, -big % 1000, 0]);
  });

  it('MOD and DECIMAL division by zero are errors, but not on NULL rows', () => {
    expect(() => evalRows(call('mod', T.INT, a, lit(0, T.INT)), s, rows)).toThrow(/division by zero/);
    expect(evalRows(call('mod', T.INT, a, lit(0, T.INT)), s, [{ a: null, b: 1 }])).toEqual([null]);
    const d = T.decimal(10, 2);
    expect(() => evalCol(d, [1.5], (x) => call('divide', T.decimal(38, 6), x, lit(0, d)))).toThrow(WeirError);
  });

  it('DOUBLE division follows IEEE: x / 0 is infinite', () => {
    expect(evalCol(T.DOUBLE, [1, -1, 6], (x) => call('divide', T.DOUBLE, x, lit(0, T.DOUBLE)))).toEqual([Infinity, -Infinity, Infinity]);
    expect(evalCol(T.DOUBLE, [7], (x) => call('divide', T.DOUBLE, x, lit(2, T.DOUBLE)))).toEqual([3.5]);
  });

  it('INT results wrap around as Java ints; BIGINT does not', () => {
    expect(evalCol(T.INT, [2147483647], (x) => call('add', T.INT, x, lit(1, T.INT)))).toEqual([-2147483648]);
    expect(evalCol(T.BIGINT, [2147483647], (x) => call('add', T.BIGINT, x, lit(1, T.BIGINT)))).toEqual([2147483648]);
    expect(evalCol(T.BIGINT, [-(2 ** 40)], (x) => call('multiply', T.BIGINT, x, lit(3, T.BIGINT)))).toEqual([-3 * 2 ** 40]);
  });

  it('negates numbers and intervals', () => {
    expect(evalCol(T.INT, [3, null, -4], (x) => call('negate', T.INT, x))).toEqual([-3, null, 4]);
    expect(evalCol(T.INTERVAL, [1000], (x) => call('negate', T.INTERVAL, x))).toEqual([-1000]);
  });

  it('rounds DECIMAL results half-up to the result scale after each operation', () => {
    const d2 = T.decimal(10, 2);
    // 1.005 is 1.00499999... in binary: still the tie the user wrote
    expect(constant(call('multiply', d2, lit(1.005, T.decimal(10, 3)), lit(1, T.decimal(10, 3))))).toBe(1.01);
    expect(constant(call('add', d2, lit(0.125, T.decimal(10, 3)), lit(0, T.decimal(10, 3))))).toBe(0.13);
    expect(constant(call('add', d2, lit(-0.125, T.decimal(10, 3)), lit(0, T.decimal(10, 3))))).toBe(-0.13);
    expect(constant(call('divide', T.decimal(38, 6), lit(1, T.decimal(10, 0)), lit(3, T.decimal(10, 0))))).toBe(0.333333);
    expect(evalCol(T.BIGINT, [1000, 7, null], (x) => call('multiply', T.decimal(23, 3), lit(0.908, T.decimal(23, 3)), cast(x, T.decimal(23, 3)))))
      .toEqual([908, 6.356, null]);
  });

  it('adds intervals to timestamps', () => {
    const ts = Date.UTC(2024, 0, 1, 10);
    expect(evalCol(T.TIMESTAMP, [ts], (x) => call('add', T.TIMESTAMP, x, lit(5000, T.INTERVAL)))).toEqual([ts + 5000]);
    expect(evalCol(T.TIMESTAMP, [ts], (x) => call('subtract', T.TIMESTAMP, x, lit(3_600_000, T.INTERVAL)))).toEqual([ts - 3_600_000]);
    expect(evalCol(T.INTERVAL, [1500], (x) => call('multiply', T.INTERVAL, x, lit(2, T.DOUBLE)))).toEqual([3000]);
  });
});
