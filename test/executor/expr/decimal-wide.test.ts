/**
 * DECIMAL kernels at 19 to 38 digits (Decimal128 columns, bigint exact lanes) and at the 38-digit
 * edge: + - * / MOD, comparisons, casts to and from text, doubles, integers and other decimals,
 * ABS/ROUND/FLOOR, and the overflow error past 38 digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToText } from '../../../src/common/decimal.js';
import { fcParams } from '../../support/property.js';
import { decimal38Edges, nullable } from '../../support/value-edges.js';
import { call, cast, col, evalRows, lit, schemaOf, T } from './helpers.js';

const D38 = T.decimal(38, 10), D38_0 = T.decimal(38, 0);
const MAX38 = '9999999999999999999999999999.9999999999'; // 10^38 - 1 at scale 10
const s = schemaOf({ a: D38, b: D38 });
const a = col(0, 'a', D38), b = col(1, 'b', D38);

describe('DECIMAL(38, 10) kernels', () => {
  const rows = [
    { a: MAX38, b: '0.0000000001' },
    { a: '-1234567890123456789012345678.0123456789', b: '1234567890123456789012345678.0123456788' },
    { a: '92233720368547758.08', b: '-92233720368547758.08' }, // 2^63 / 100: just past int64 unscaled
    { a: null, b: '1' },
    { a: '0.5', b: '0.25' },
  ];

  it('adds and subtracts exactly up to 38 digits, NULL in NULL out', () => {
    expect(evalRows(call('subtract', D38, a, b), s, rows)).toEqual([
      '9999999999999999999999999999.9999999998', '-2469135780246913578024691356.0246913577', '184467440737095516.1600000000', null, 0.25,
    ]);
    expect(evalRows(call('add', D38, a, b), s, rows.slice(1))).toEqual([-1e-10, 0, null, 0.75]);
  });

  it('fails a sum past 38 digits with the values, never rounds or wraps', () => {
    expect(() => evalRows(call('add', D38, a, b), s, rows.slice(0, 1)))
      .toThrow(/DECIMAL overflow: 9999999999999999999999999999.9999999999 \+ 0.0000000001 = 10000000000000000000000000000.0000000000 is out of range for DECIMAL\(38, 10\)/);
    expect(() => evalRows(call('subtract', D38, b, a), s, [{ a: MAX38, b: '-0.0000000001' }])).toThrow(/DECIMAL overflow/);
  });

  it('multiplies 19-digit operands into 38 digits, and fails at 10^38', () => {
    const d19 = T.decimal(19, 0), x = col(0, 'x', d19), y = col(1, 'y', d19);
    const s19 = schemaOf({ x: d19, y: d19 });
    expect(evalRows(call('multiply', D38_0, x, y), s19, [
      { x: '9999999999999999999', y: '9999999999999999999' }, { x: '-9223372036854775808', y: '2' }, { x: 3, y: null },
    ])).toEqual(['99999999999999999980000000000000000001', '-18446744073709551616', null]);
    const d20 = T.decimal(20, 0), s20 = schemaOf({ x: d20, y: d20 });
    expect(() => evalRows(call('multiply', D38_0, col(0, 'x', d20), col(1, 'y', d20)), s20, [{ x: '10000000000000000000', y: '10000000000000000000' }]))
      .toThrow(/DECIMAL overflow: 10000000000000000000 \* 10000000000000000000 = 100000000000000000000000000000000000000 is out of range for DECIMAL\(38, 0\)/);
    // a product that rescales: DECIMAL(19, 2) * DECIMAL(19, 2) into DECIMAL(38, 2), half away from zero
    const d = T.decimal(19, 2), sd = schemaOf({ x: d, y: d });
    expect(evalRows(call('multiply', T.decimal(38, 2), col(0, 'x', d), col(1, 'y', d)), sd, [
      { x: '99999999999999999.99', y: '0.05' }, { x: '-99999999999999999.99', y: '0.05' },
    ])).toEqual(['5000000000000000.00', '-5000000000000000.00']);
  });

  it('divides and takes MOD of 38-digit values exactly', () => {
    expect(evalRows(call('divide', D38, a, b), s, [{ a: MAX38, b: '3' }, { a: '-2', b: '3' }]))
      .toEqual(['3333333333333333333333333333.3333333333', -0.6666666667]);
    expect(evalRows(call('mod', D38, a, b), s, [
      { a: '1234567890123456789012345678.0123456789', b: '1000000000000000000' }, { a: '-7.5', b: '2' },
    ])).toEqual(['123456789012345678.0123456789', -1.5]);
  });

  it('compares values that differ only in the 38th digit', () => {
    const near = [{ a: MAX38, b: '9999999999999999999999999999.9999999998' }, { a: MAX38, b: MAX38 }, { a: '-' + MAX38, b: MAX38 }];
    expect(evalRows(call('gt', T.BOOLEAN, a, b), s, near)).toEqual([true, false, false]);
    expect(evalRows(call('eq', T.BOOLEAN, a, b), s, near)).toEqual([false, true, false]);
    expect(evalRows(call('lt', T.BOOLEAN, a, b), s, near)).toEqual([false, false, true]);
  });

  it('ABS, ROUND, FLOOR of 38-digit values', () => {
    const x = col(0, 'a', D38), one = schemaOf({ a: D38 });
    const vals = [{ a: '-' + MAX38 }, { a: '1234567890123456789012345678.5' }];
    expect(evalRows(call('abs', D38, x), one, vals)).toEqual([MAX38, '1234567890123456789012345678.5000000000']);
    expect(evalRows(call('floor', T.decimal(38, 0), x), one, vals)).toEqual(['-10000000000000000000000000000', '1234567890123456789012345678']);
    expect(evalRows(call('round', D38, x, lit(0, T.INT)), one, vals.slice(1))).toEqual(['1234567890123456789012345679.0000000000']);
  });
});

describe('casts at 19..38 digits', () => {
  const one = (t: typeof D38) => schemaOf({ a: t });
  const x = (t: typeof D38) => col(0, 'a', t);

  it('to and from text, exactly', () => {
    expect(evalRows(cast(x(T.VARCHAR), D38), one(T.VARCHAR), [{ a: MAX38 }, { a: ' -1e27 ' }, { a: '1.00000000005' }]))
      .toEqual([MAX38, '-1000000000000000000000000000.0000000000', 1.0000000001]);
    expect(() => evalRows(cast(x(T.VARCHAR), D38), one(T.VARCHAR), [{ a: '1e28' }])).toThrow(/cannot cast '1e28' to DECIMAL\(38, 10\)/);
    expect(evalRows(cast(x(D38), T.VARCHAR), one(D38), [{ a: MAX38 }, { a: '-0.0000000001' }])).toEqual([MAX38, '-0.0000000001']);
    // too many integer digits for the target: an error naming the text (NULL under TRY_CAST)
    expect(() => evalRows(cast(x(T.VARCHAR), T.decimal(20, 2)), one(T.VARCHAR), [{ a: '1000000000000000000' }])).toThrow(/cannot cast/);
    expect(evalRows(cast(x(T.VARCHAR), T.decimal(20, 2), true), one(T.VARCHAR), [{ a: '1000000000000000000' }, { a: '999999999999999999.995' }]))
      .toEqual([null, null]);
  });

  it('to DOUBLE as the nearest double, to BIGINT truncated (out of range fails), from BIGINT exactly', () => {
    expect(evalRows(cast(x(D38), T.DOUBLE), one(D38), [{ a: MAX38 }, { a: '92233720368547758.07' }])).toEqual([1e28, 92233720368547758.07]);
    expect(evalRows(cast(x(D38), T.BIGINT), one(D38), [{ a: '-9223372036854775808.9' }, { a: '12.9' }])).toEqual([-9223372036854775808n, 12]);
    expect(() => evalRows(cast(x(D38), T.BIGINT), one(D38), [{ a: '9223372036854775808' }])).toThrow(/out of range/);
    expect(evalRows(cast(x(T.BIGINT), T.decimal(38, 18)), one(T.BIGINT), [{ a: -9223372036854775808n }]))
      .toEqual(['-9223372036854775808.000000000000000000']);
    expect(evalRows(cast(x(T.DOUBLE), T.decimal(38, 2)), one(T.DOUBLE), [{ a: 1.5e25 }, { a: -0.125 }])).toEqual(['15000000000000000000000000.00', -0.13]);
  });

  it('between decimals: rescaled half away from zero, narrowed to NULL when too wide', () => {
    const d18 = T.decimal(18, 2);
    expect(evalRows(cast(x(D38), d18), one(D38), [{ a: '1234567890123456.785' }, { a: '12345678901234567.00' }]))
      .toEqual(['1234567890123456.79', null]);
    expect(evalRows(cast(x(d18), D38), one(d18), [{ a: '9999999999999999.99' }])).toEqual(['9999999999999999.9900000000']);
  });
});

describe('DECIMAL(38, 10) at its edges (property)', () => {
  const MAX = 10n ** 38n - 1n;
  const api = (u: bigint | null): unknown => (u === null ? null : (u > -(10n ** 15n) && u < 10n ** 15n ? Number(decimalToText(u, 10)) : decimalToText(u, 10)));
  const text = (u: bigint | null): string | null => (u === null ? null : decimalToText(u, 10));

  it('+, -, comparisons and text equal a bigint model; past 38 digits an error', () => {
    fc.assert(fc.property(fc.array(fc.tuple(nullable(decimal38Edges), nullable(decimal38Edges)), { minLength: 1, maxLength: 6 }), (pairs) => {
      const rows = pairs.map(([x, y]) => ({ a: text(x), b: text(y) }));
      const both = (f: (x: bigint, y: bigint) => unknown) => pairs.map(([x, y]) => (x === null || y === null ? null : f(x, y)));
      const overflows = (f: (x: bigint, y: bigint) => bigint) => both(f).some((r) => r !== null && ((r as bigint) > MAX || (r as bigint) < -MAX));
      for (const [fn, f] of [['add', (x: bigint, y: bigint) => x + y], ['subtract', (x: bigint, y: bigint) => x - y]] as const) {
        const run = () => evalRows(call(fn, D38, a, b), s, rows);
        if (overflows(f)) expect(run).toThrow(/DECIMAL overflow/);
        else expect(run()).toEqual(both(f).map((r) => api(r as bigint | null)));
      }
      expect(evalRows(call('lt', T.BOOLEAN, a, b), s, rows)).toEqual(both((x, y) => x < y));
      expect(evalRows(call('eq', T.BOOLEAN, a, b), s, rows)).toEqual(both((x, y) => x === y));
      expect(evalRows(cast(a, T.VARCHAR), s, rows)).toEqual(pairs.map(([x]) => text(x)));
    }), fcParams({ numRuns: 200 }));
  });
});
