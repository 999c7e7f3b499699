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

  it('an integer result outside its type fails naming the expression and the values, never wraps', () => {
    expect(() => evalCol(T.INT, [2147483647], (x) => call('add', T.INT, x, lit(1, T.INT))))
      .toThrow(/INT overflow: 2147483647 \+ 1 = 2147483648 is out of range for INT in add\(x, 1\)/);
    expect(() => evalCol(T.SMALLINT, [-32768], (x) => call('negate', T.SMALLINT, x))).toThrow(/SMALLINT overflow: -(-32768)|out of range for SMALLINT/);
    expect(evalCol(T.BIGINT, [2147483647], (x) => call('add', T.BIGINT, x, lit(1, T.BIGINT)))).toEqual([2147483648]);
    expect(evalCol(T.BIGINT, [-(2 ** 40)], (x) => call('multiply', T.BIGINT, x, lit(3, T.BIGINT)))).toEqual([-3 * 2 ** 40]);
    expect(() => evalCol(T.BIGINT, [9000000000000000000n], (x) => call('add', T.BIGINT, x, x)))
      .toThrow(/BIGINT overflow: 9000000000000000000 \+ 9000000000000000000 = 18000000000000000000 is out of range for BIGINT/);
    expect(() => evalCol(T.BIGINT, [-(2n ** 63n)], (x) => call('negate', T.BIGINT, x))).toThrow(/out of range for BIGINT/);
    expect(() => evalCol(T.BIGINT, [2 ** 32], (x) => call('multiply', T.BIGINT, x, x))).toThrow(/4294967296 \* 4294967296 = 18446744073709551616/);
    // a NULL row holds no value to overflow
    expect(evalCol(T.INT, [null, 1], (x) => call('add', T.INT, x, lit(2147483646, T.INT)))).toEqual([null, 2147483647]);
  });

  it('BIGINT arithmetic is exact beyond 2^53 (results held as bigints there)', () => {
    const p53 = 2 ** 53;
    expect(evalCol(T.BIGINT, [p53 - 1, p53, -p53], (x) => call('add', T.BIGINT, x, lit(1, T.BIGINT))))
      .toEqual([9007199254740992n, 9007199254740993n, -9007199254740991]);
    expect(evalCol(T.BIGINT, [9007199254740993n, 2n ** 62n, null], (x) => call('subtract', T.BIGINT, x, lit(2, T.BIGINT))))
      .toEqual([9007199254740991, 4611686018427387902n, null]);
    expect(evalCol(T.BIGINT, [3037000499, 123456789], (x) => call('multiply', T.BIGINT, x, x)))
      .toEqual([9223372030926249001n, 15241578750190521n]);
    expect(evalCol(T.BIGINT, [9223372036854775807n, -9223372036854775807n], (x) => call('mod', T.BIGINT, x, lit(10, T.BIGINT))))
      .toEqual([7, -7]);
    expect(evalCol(T.BIGINT, [9223372036854775807n], (x) => call('add', T.BIGINT, x, lit(-9223372036854775807n, T.BIGINT))))
      .toEqual([0]);
  });

  it('BIGINT comparisons beyond 2^53 are exact (the doubles tie there)', () => {
    const p = 9007199254740992n;
    expect(evalCol(T.BIGINT, [p, p + 1n, p + 2n, 5], (x) => call('eq', T.BOOLEAN, x, lit(p + 1n, T.BIGINT)))).toEqual([false, true, false, false]);
    expect(evalCol(T.BIGINT, [p, p + 1n, p + 2n, 5], (x) => call('lt', T.BOOLEAN, x, lit(p + 1n, T.BIGINT)))).toEqual([true, false, false, true]);
    expect(evalCol(T.BIGINT, [p + 1n, p], (x) => call('gt', T.BOOLEAN, call('add', T.BIGINT, x, lit(0, T.BIGINT)), x))).toEqual([false, false]);
    expect(evalCol(T.BIGINT, [p + 1n], (x) => call('ne', T.BOOLEAN, x, lit(9007199254740992, T.BIGINT)))).toEqual([true]);
  });

  it('negates numbers and intervals', () => {
    expect(evalCol(T.INT, [3, null, -4], (x) => call('negate', T.INT, x))).toEqual([-3, null, 4]);
    expect(evalCol(T.INTERVAL, [1000], (x) => call('negate', T.INTERVAL, x))).toEqual([-1000]);
  });

  it('rounds DECIMAL results half-up to the result scale after each operation', () => {
    const d2 = T.decimal(10, 2);
    // 1.005 is 1.00499999... in binary: still the tie the user wrote
    expect(constant(call('multiply', d2, lit(1.005, T.decimal(10, 3)), lit(1, T.decimal(10, 3))))).toBe(1.01);
    // + keeps the operands' scale (the binder casts both to it); a narrower scale is a CAST, half-up
    expect(constant(call('add', T.decimal(11, 3), lit(0.125, T.decimal(10, 3)), lit(0.001, T.decimal(10, 3))))).toBe(0.126);
    expect(constant(cast(lit(0.125, T.decimal(10, 3)), d2))).toBe(0.13);
    expect(constant(cast(lit(-0.125, T.decimal(10, 3)), d2))).toBe(-0.13);
    expect(constant(call('divide', T.decimal(38, 6), lit(1, T.decimal(10, 0)), lit(3, T.decimal(10, 0))))).toBe(0.333333);
    expect(evalCol(T.BIGINT, [1000, 7, null], (x) => call('multiply', T.decimal(23, 3), lit(0.908, T.decimal(23, 3)), cast(x, T.decimal(23, 3)))))
      .toEqual([908, 6.356, null]);
  });

  it('DECIMAL arithmetic is exact on scaled integers where doubles are not', () => {
    const d = T.decimal(10, 1);
    expect(constant(call('add', T.decimal(11, 1), lit(0.1, d), lit(0.2, d)))).toBe(0.3); // 0.1 + 0.2 is 0.30000000000000004 in doubles
    const d18 = T.decimal(18, 2);
    // 16 significant digits: beyond what a double holds, exact here, shown as text at the API
    expect(constant(call('add', T.decimal(19, 2), lit('12345678901234.56', d18), lit('0.01', d18)))).toBe('12345678901234.57');
    expect(constant(call('multiply', T.decimal(36, 4), lit('9999999.99', d18), lit('9999999.99', d18)))).toBe('99999999800000.0001');
    // beyond int64 (more than 18 digits) exact up to 38 digits, as DuckDB's DECIMAL(36, 4)
    expect(constant(call('multiply', T.decimal(36, 4), lit('99999999.99', d18), lit('99999999.99', d18)))).toBe('9999999998000000.0001');
    expect(constant(call('divide', T.decimal(38, 6), lit(2, T.decimal(10, 0)), lit(3, T.decimal(10, 0))))).toBe(0.666667);
    expect(constant(call('divide', T.decimal(38, 6), lit(-2, T.decimal(10, 0)), lit(3, T.decimal(10, 0))))).toBe(-0.666667);
    expect(constant(call('mod', T.decimal(10, 1), lit(7.5, d), lit(2, d)))).toBe(1.5);
    expect(constant(call('multiply', T.decimal(38, 0), lit('9999999999', T.decimal(18, 0)), lit('9999999999', T.decimal(18, 0))))).toBe('99999999980000000001');
    // beyond 38 digits: an error with the values, never a rounded result
    const d38 = T.decimal(38, 0);
    expect(() => constant(call('multiply', d38, lit('10000000000000000000', d38), lit('10000000000000000000', d38))))
      .toThrow(/DECIMAL overflow: 10000000000000000000 \* 10000000000000000000 = 100000000000000000000000000000000000000 is out of range for DECIMAL\(38, 0\)/);
  });

  it('adds intervals to timestamps', () => {
    const ts = Date.UTC(2024, 0, 1, 10);
    expect(evalCol(T.TIMESTAMP, [ts], (x) => call('add', T.TIMESTAMP, x, lit(5000, T.INTERVAL)))).toEqual([ts + 5000]);
    expect(evalCol(T.TIMESTAMP, [ts], (x) => call('subtract', T.TIMESTAMP, x, lit(3_600_000, T.INTERVAL)))).toEqual([ts - 3_600_000]);
    expect(evalCol(T.INTERVAL, [1500], (x) => call('multiply', T.INTERVAL, x, lit(2, T.DOUBLE)))).toEqual([3000]);
  });
});
