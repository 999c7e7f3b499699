/**
 * A UDF's result against its declared type: values of the type pass in their kernel form, NULL and
 * undefined are NULL, anything else is a RUNTIME error naming the function, the value and the call.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../../src/common/errors.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { udfResultChecker } from '../../../src/executor/expr/udf-result.js';

const call = (): string => "f('x')";
const accept = (t: SqlType, v: unknown): unknown => udfResultChecker('f', t, undefined)(v, call);
function refusal(t: SqlType, v: unknown): WeirError {
  try {
    accept(t, v);
  } catch (e) {
    expect(e).toBeInstanceOf(WeirError);
    expect((e as WeirError).code).toBe('RUNTIME');
    return e as WeirError;
  }
  throw new Error(`${String(v)} was accepted as ${t.kind}`);
}

describe('udfResultChecker', () => {
  it('refuses a string for an INT, naming the function, the value, the call and the declared type', () => {
    expect(refusal(T.INT, 'str').message).toBe(`function f returned "str" on the row with f('x'), which is not an integer: it declares INT`);
  });

  it('integers: integral and in range; a bigint within range is accepted', () => {
    expect(accept(T.INT, 7)).toBe(7);
    expect(accept(T.INT, 7n)).toBe(7);
    expect(accept(T.INT, -2147483648)).toBe(-2147483648);
    expect(refusal(T.INT, 2147483648).message).toContain('which is out of range [-2147483648, 2147483647]');
    expect(refusal(T.TINYINT, 128).message).toContain('out of range [-128, 127]');
    expect(refusal(T.SMALLINT, 1.5).message).toContain('not an integer');
    expect(refusal(T.INT, NaN).message).toContain('not an integer');
    expect(refusal(T.INT, true).message).toContain('returned true');
    expect(refusal(T.INT, '3').message).toContain('returned "3"');
  });

  it('BIGINT: canonical int64 (number when safe, bigint beyond 2^53), refused outside int64', () => {
    expect(accept(T.BIGINT, 42)).toBe(42);
    expect(accept(T.BIGINT, 42n)).toBe(42);
    expect(accept(T.BIGINT, 9007199254740993n)).toBe(9007199254740993n);
    expect(accept(T.BIGINT, 2 ** 60)).toBe(2n ** 60n);
    expect(refusal(T.BIGINT, 2n ** 63n).message).toContain('returned 9223372036854775808n on the row with f(\'x\'), which is out of the BIGINT range');
    expect(refusal(T.BIGINT, 2 ** 63).message).toContain('out of the BIGINT range');
    expect(refusal(T.BIGINT, 0.5).message).toContain('not an integer');
  });

  it('FLOAT and DOUBLE take numbers only; FLOAT refuses finite values beyond its range', () => {
    expect(accept(T.DOUBLE, 1.25)).toBe(1.25);
    expect(accept(T.DOUBLE, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(accept(T.DOUBLE, NaN))).toBe(true);
    expect(refusal(T.DOUBLE, '1.5').message).toContain('not a number');
    expect(refusal(T.DOUBLE, 3n).message).toContain('not a number');
    expect(accept(T.FLOAT, 1.5)).toBe(1.5);
    expect(refusal(T.FLOAT, 1e300).message).toContain('out of the FLOAT range');
  });

  it('DECIMAL: a finite number (or decimal text) within the precision, rounded half up to the scale, held unscaled', () => {
    expect(accept(T.decimal(5, 2), 1.005)).toBe(101); // 1.01 as its unscaled integer
    expect(accept(T.decimal(18, 2), '12345678901234.565')).toBe(1234567890123457);
    expect(refusal(T.decimal(5, 2), true).message).toContain('not a number');
    expect(refusal(T.decimal(5, 2), 1000).message).toContain('out of range for DECIMAL(5, 2)');
    expect(refusal(T.decimal(5, 2), NaN).message).toContain('not a finite number');
  });

  it('strings, booleans: exactly their JS type, no coercion', () => {
    expect(accept(T.VARCHAR, 'a')).toBe('a');
    expect(refusal(T.VARCHAR, 12).message).toBe(`function f returned 12 on the row with f('x'), which is not a string: it declares VARCHAR`);
    expect(accept(T.BOOLEAN, false)).toBe(false);
    expect(refusal(T.BOOLEAN, 0).message).toContain('not a boolean');
  });

  it('timestamps: a Date or epoch milliseconds; DATE: a Date (its UTC day) or a day number', () => {
    expect(accept(T.TIMESTAMP, new Date('2026-12-04T08:00:00.000Z'))).toBe(Date.UTC(2026, 11, 4, 8));
    expect(accept(T.TIMESTAMP, 1234)).toBe(1234);
    expect(refusal(T.TIMESTAMP, new Date('nope')).message).toContain('which is an invalid Date');
    expect(refusal(T.TIMESTAMP, '2026-12-04').message).toContain('not a Date nor epoch milliseconds');
    expect(accept(T.DATE, new Date('1970-01-03T12:00:00Z'))).toBe(2);
    expect(refusal(T.DATE, 'x').message).toContain('not a Date nor a whole number of days');
  });

  it('ROW: an object whose fields are checked by their types', () => {
    const t = T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.VARCHAR }]);
    expect(accept(t, { a: 1, b: 'x', extra: true })).toEqual({ a: 1, b: 'x' });
    expect(accept(t, { a: 1 })).toEqual({ a: 1, b: null });
    expect(refusal(t, { a: 'one', b: 'x' }).message).toContain(`which is a row whose field 'a' is "one", not an integer`);
    expect(refusal(t, [1, 'x']).message).toContain('not an object');
  });

  it('NULL and undefined are NULL for every type', () => {
    for (const t of [T.INT, T.BIGINT, T.VARCHAR, T.BOOLEAN, T.TIMESTAMP, T.DOUBLE]) {
      expect(accept(t, null)).toBe(null);
      expect(accept(t, undefined)).toBe(null);
    }
  });

  it('a Promise (or any thenable) is refused: async functions are not supported', () => {
    const p = Promise.resolve(1);
    expect(refusal(T.INT, p).message).toBe(`function f returned a Promise on the row with f('x'): async functions are not supported; `
      + 'a scalar function must return its value synchronously (load what it needs before the query starts)');
    expect(refusal(T.VARCHAR, { then: () => undefined }).message).toContain('returned a Promise');
  });
});
