import { describe, expect, it } from 'vitest';
import { WeirError } from '../../../src/common/errors.js';
import type { SqlType } from '../../../src/common/types.js';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { cast, constant, evalCol, lit, T } from './helpers.js';

const c = (v: number | string | boolean | null, from: SqlType, to: SqlType, tryCast = false, ctx = defaultExprContext()) =>
  constant(cast(lit(v, from), to, tryCast), ctx);

describe('CAST', () => {
  it('numbers to integers truncate toward zero; overflow is an error', () => {
    expect(c(2.9, T.DOUBLE, T.INT)).toBe(2);
    expect(c(-2.9, T.DOUBLE, T.INT)).toBe(-2);
    expect(c(300, T.INT, T.SMALLINT)).toBe(300);
    expect(() => c(300, T.INT, T.TINYINT)).toThrow(/cannot cast 300 to TINYINT/);
    expect(c(300, T.INT, T.TINYINT, true)).toBe(null);
    expect(() => c(1e20, T.DOUBLE, T.BIGINT)).toThrow(WeirError);
    expect(c(2 ** 40, T.BIGINT, T.DOUBLE)).toBe(2 ** 40);
  });
  it('numbers to DECIMAL round half-up; too many digits give NULL', () => {
    expect(c(1.2345, T.DOUBLE, T.decimal(10, 2))).toBe(1.23);
    expect(c(1.235, T.DOUBLE, T.decimal(10, 2))).toBe(1.24);
    expect(c(-1.235, T.DOUBLE, T.decimal(10, 2))).toBe(-1.24);
    expect(c(12345, T.INT, T.decimal(4, 1))).toBe(null);
    expect(c(7, T.BIGINT, T.decimal(23, 3))).toBe(7);
    expect(c(2.5, T.decimal(10, 1), T.INT)).toBe(2);
  });
  it('text to numbers is trimmed; bad text is an error unless TRY_CAST', () => {
    expect(c(' 42 ', T.VARCHAR, T.INT)).toBe(42);
    expect(c('-7', T.VARCHAR, T.BIGINT)).toBe(-7);
    expect(c('1.9', T.VARCHAR, T.INT)).toBe(1);
    expect(c('1.5e3', T.VARCHAR, T.DOUBLE)).toBe(1500);
    expect(c('12.345', T.VARCHAR, T.decimal(5, 2))).toBe(12.35);
    let err: unknown;
    try { c('abc', T.VARCHAR, T.INT); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('RUNTIME');
    expect((err as WeirError).message).toBe("cannot cast 'abc' to INT");
    expect(c('abc', T.VARCHAR, T.INT, true)).toBe(null);
    expect(c('', T.VARCHAR, T.DOUBLE, true)).toBe(null);
    expect(c('99999999999', T.VARCHAR, T.INT, true)).toBe(null);
    expect(evalCol(T.VARCHAR, ['1', 'x', null, '3'], (x) => cast(x, T.INT, true))).toEqual([1, null, null, 3]);
  });
  it('text and BOOLEAN both ways', () => {
    expect(['true', 'FALSE', ' t ', 'yes', '0', 'N'].map((s) => c(s, T.VARCHAR, T.BOOLEAN))).toEqual([true, false, true, true, false, false]);
    expect(() => c('maybe', T.VARCHAR, T.BOOLEAN)).toThrow(/cannot cast 'maybe' to BOOLEAN/);
    expect(c(true, T.BOOLEAN, T.VARCHAR)).toBe('TRUE');
    expect(c(true, T.BOOLEAN, T.INT)).toBe(1);
    expect(c(0, T.INT, T.BOOLEAN)).toBe(false);
  });
  it('numbers to text as Flink prints them', () => {
    expect(c(42, T.INT, T.VARCHAR)).toBe('42');
    expect(c(1, T.DOUBLE, T.VARCHAR)).toBe('1.0');
    expect(c(0.1, T.DOUBLE, T.VARCHAR)).toBe('0.1');
    expect(c(1e7, T.DOUBLE, T.VARCHAR)).toBe('1.0E7');
    expect(c(1.5e-5, T.DOUBLE, T.VARCHAR)).toBe('1.5E-5');
    expect(c(0.1, T.FLOAT, T.VARCHAR)).toBe('0.1');
    expect(c(1.5, T.decimal(10, 2), T.VARCHAR)).toBe('1.50');
  });
  it('text to DATE and TIMESTAMP, in SQL and ISO-8601 forms', () => {
    const want = Date.UTC(2024, 2, 1, 10, 20, 30, 400);
    expect(c('2024-03-01 10:20:30.4', T.VARCHAR, T.TIMESTAMP)).toBe(want);
    expect(c('2024-03-01T10:20:30.400Z', T.VARCHAR, T.TIMESTAMP)).toBe(want);
    expect(c('2024-03-01T12:20:30.400+02:00', T.VARCHAR, T.TIMESTAMP)).toBe(want);
    expect(c('2024-03-01', T.VARCHAR, T.TIMESTAMP)).toBe(Date.UTC(2024, 2, 1));
    expect(c('2024-03-01', T.VARCHAR, T.DATE)).toBe(19783);
    expect(() => c('2024-13-01', T.VARCHAR, T.DATE)).toThrow(/cannot cast '2024-13-01' to DATE/);
    expect(c('2024-02-30 00:00:00', T.VARCHAR, T.TIMESTAMP, true)).toBe(null);
    const berlin = defaultExprContext({ timeZone: 'Europe/Berlin' });
    expect(c('2024-03-01 11:00:00', T.VARCHAR, T.TIMESTAMP_LTZ, false, berlin)).toBe(Date.UTC(2024, 2, 1, 10));
  });
  it('TIMESTAMP and DATE to text', () => {
    expect(c(Date.UTC(2024, 2, 1, 10, 20, 30, 4), T.TIMESTAMP, T.VARCHAR)).toBe('2024-03-01 10:20:30.004');
    expect(c(19783, T.DATE, T.VARCHAR)).toBe('2024-03-01');
    expect(c(Date.UTC(2024, 2, 1, 23), T.TIMESTAMP_LTZ, T.VARCHAR, false, defaultExprContext({ timeZone: '+02:00' }))).toBe('2024-03-02 01:00:00.000');
  });
  it('DATE, TIMESTAMP and TIMESTAMP_LTZ among themselves', () => {
    expect(c(19783, T.DATE, T.TIMESTAMP)).toBe(Date.UTC(2024, 2, 1));
    expect(c(Date.UTC(2024, 2, 1, 23, 59), T.TIMESTAMP, T.DATE)).toBe(19783);
    expect(c(Date.UTC(1969, 11, 31, 23), T.TIMESTAMP, T.DATE)).toBe(-1);
    const ny = defaultExprContext({ timeZone: 'America/New_York' });
    expect(c(Date.UTC(2024, 6, 1, 12), T.TIMESTAMP_LTZ, T.TIMESTAMP, false, ny)).toBe(Date.UTC(2024, 6, 1, 8));
    expect(c(Date.UTC(2024, 6, 1, 8), T.TIMESTAMP, T.TIMESTAMP_LTZ, false, ny)).toBe(Date.UTC(2024, 6, 1, 12));
    expect(c(Date.UTC(2024, 6, 2, 2), T.TIMESTAMP_LTZ, T.DATE, false, ny)).toBe(Math.floor(Date.UTC(2024, 6, 1) / 86_400_000));
    expect(c(1_700_000_000, T.BIGINT, T.TIMESTAMP)).toBe(1_700_000_000_000);
  });
  it('ROW casts field by field', () => {
    const from = T.row([{ name: 'a', type: T.VARCHAR }, { name: 'b', type: T.INT }]);
    const to = T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.DOUBLE }]);
    expect(evalCol(from, [{ a: '5', b: 2 }, null, { a: null, b: 3 }], (x) => cast(x, to))).toEqual([{ a: 5, b: 2 }, null, { a: null, b: 3 }]);
    expect(() => constant(cast(lit(1, T.INT), to))).toThrow(/cannot cast INT to ROW/);
  });
  it('ARRAY casts element by element, however long the array', () => {
    // 300 000 elements: gathered one by one, not spread onto the stack
    const long = Array.from({ length: 300_000 }, (_, i) => i);
    const got = evalCol(T.array(T.INT), [[1, null, 3], null, long], (x) => cast(x, T.array(T.BIGINT)))
      .map((v) => (v === null ? null : Object.values(v as object)));
    expect(got.slice(0, 2)).toEqual([[1, null, 3], null]);
    expect(got[2]).toEqual(long);
  });
  it('NULL casts to NULL of any type', () => {
    expect(c(null, T.NULL, T.INT)).toBe(null);
    expect(c(null, T.VARCHAR, T.INT)).toBe(null);
  });
});
