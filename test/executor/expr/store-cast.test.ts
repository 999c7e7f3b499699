/**
 * Store assignment (the casts INSERT makes between numeric types): rounding as DuckDB's INSERT —
 * floating-point to integers half to even, DECIMAL half-up — and out-of-range values as errors
 * naming the column, while an explicit CAST keeps truncating.
 */
import { describe, expect, it } from 'vitest';
import type { SqlType } from '../../../src/common/types.js';
import { roundHalfEven } from '../../../src/executor/expr/store-cast.js';
import type { BoundExpr } from '../../../src/planner/expr.js';
import { cast, evalCol, T } from './helpers.js';
import { weirErrorOf as errorOf } from '../../support/weir-error.js';

const store = (to: SqlType) => (x: BoundExpr): BoundExpr =>
  ({ kind: 'cast', operand: x, type: to, try: false, assign: { table: 'sink', column: 'final' } });
const stored = (from: SqlType, to: SqlType, values: unknown[]): unknown[] => evalCol(from, values, store(to));

describe('store assignment at INSERT', () => {
  it('rounds DOUBLE and FLOAT into integers to the nearest integer, ties to even, as DuckDB', () => {
    expect(stored(T.DOUBLE, T.BIGINT, [1.5, 2.5, 3.5, -2.5, -3.5, 0.5, -0.5, 2.4999, 2.5001, -2.6, 7, null]))
      .toEqual([2, 2, 4, -2, -4, 0, 0, 2, 3, -3, 7, null]);
    expect(stored(T.FLOAT, T.INT, [2.5, 3.5, -1.5, 1.25])).toEqual([2, 4, -2, 1]);
    expect(stored(T.DOUBLE, T.TINYINT, [127.4, -128.5, 126.5])).toEqual([127, -128, 126]);
  });

  it('rounds DECIMAL into integers half-up (away from zero), as DuckDB rounds DECIMAL', () => {
    expect(stored(T.decimal(10, 1), T.BIGINT, [2.5, -2.5, 3.5, 0.5, 2.4, -2.4])).toEqual([3, -3, 4, 1, 2, -2]);
  });

  it('rounds into a DECIMAL column half-up to its scale, as CAST', () => {
    expect(stored(T.DOUBLE, T.decimal(5, 1), [1.25, 1.35, -1.25, 1.24, null])).toEqual([1.3, 1.4, -1.3, 1.2, null]);
    expect(stored(T.decimal(10, 3), T.decimal(6, 2), [1.005, -1.005, 9999.994])).toEqual([1.01, -1.01, 9999.99]);
    expect(stored(T.BIGINT, T.decimal(5, 2), [999, -999])).toEqual([999, -999]);
  });

  it('narrows integers that fit, and keeps DOUBLE and FLOAT values', () => {
    expect(stored(T.BIGINT, T.SMALLINT, [32767, -32768, 0, null])).toEqual([32767, -32768, 0, null]);
    expect(stored(T.DOUBLE, T.FLOAT, [0.1, NaN, Infinity])).toEqual([Math.fround(0.1), NaN, Infinity]);
    expect(stored(T.decimal(20, 4), T.DOUBLE, [1.2345])).toEqual([1.2345]);
  });

  it('makes a value out of the column\'s range a run-time error naming the table and column', () => {
    const cases: [SqlType, SqlType, number, string][] = [
      [T.BIGINT, T.TINYINT, 200, "value 200 is out of range for column 'final' of 'sink' (TINYINT)"],
      [T.INT, T.SMALLINT, -32769, "value -32769 is out of range for column 'final' of 'sink' (SMALLINT)"],
      [T.DOUBLE, T.TINYINT, 127.5, "value 127.5 is out of range for column 'final' of 'sink' (TINYINT)"], // rounds to 128
      [T.DOUBLE, T.BIGINT, 1e19, "value 10000000000000000000 is out of range for column 'final' of 'sink' (BIGINT)"],
      [T.DOUBLE, T.BIGINT, -(2 ** 63) - 4096, "value -9223372036854780000 is out of range for column 'final' of 'sink' (BIGINT)"],
      [T.DOUBLE, T.INT, NaN, "value NaN is out of range for column 'final' of 'sink' (INT)"],
      [T.DOUBLE, T.INT, -Infinity, "value -Infinity is out of range for column 'final' of 'sink' (INT)"],
      [T.DOUBLE, T.decimal(5, 1), 12345, "value 12345 is out of range for column 'final' of 'sink' (DECIMAL(5, 1))"],
      [T.DOUBLE, T.decimal(5, 1), 9999.96, "value 9999.96 is out of range for column 'final' of 'sink' (DECIMAL(5, 1))"], // rounds to 10000.0
      [T.DOUBLE, T.FLOAT, 1e300, "value 1e+300 is out of range for column 'final' of 'sink' (FLOAT)"],
    ];
    for (const [from, to, v, message] of cases) {
      const err = errorOf(() => stored(from, to, [1, v]));
      expect(err.code).toBe('RUNTIME');
      expect(err.message).toBe(message);
    }
    // the largest values that fit are kept
    expect(stored(T.DOUBLE, T.BIGINT, [2 ** 63 - 1024, -(2 ** 63)])).toEqual([9223372036854774784n, -9223372036854775808n]); // the integers those doubles are, exactly
  });

  it('does not judge NULL slots, whatever they hold', () => {
    // a NULL's slot in the Float64 column is 0 here; the other values are checked and kept
    expect(stored(T.DOUBLE, T.TINYINT, [null, 3.5, null])).toEqual([null, 4, null]);
  });

  it('leaves explicit CAST truncating toward zero (Flink)', () => {
    expect(evalCol(T.DOUBLE, [2.5, 2.9, -2.9], (x) => cast(x, T.BIGINT))).toEqual([2, 2, -2]);
  });

  it('roundHalfEven is IEEE round-to-nearest-even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1e16 + 2, 4503599627370495.5].map(roundHalfEven))
      .toEqual([0, 2, 2, 0, -2, -2, 1e16 + 2, 4503599627370496]);
  });
});
