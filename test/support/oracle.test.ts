/**
 * The oracle itself: it must see the differences it exists to find. BIGINT past 2^53 and DECIMAL
 * are read from DuckDB exactly and compared exactly; only DOUBLE has a tolerance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atScale, decimalText, expectSameRows, OracleDecimal, weirDecimalText } from './oracle-values.js';
import { Oracle } from './oracle.js';

describe('oracle values', () => {
  it('writes decimals exactly at their scale', () => {
    expect(decimalText(-5n, 2)).toBe('-0.05');
    expect(decimalText(1230n, 2)).toBe('12.30');
    expect(decimalText(7n, 0)).toBe('7');
    expect(atScale('12.3', 3)).toBe('12.300');
    expect(atScale('-0012.3000', 2)).toBe('-12.30');
    // digits beyond the scale are not rounded away: the comparison must show them
    expect(atScale('12.345', 2)).toBe('12.345');
    expect(weirDecimalText(12.3, 2)).toBe('12.30');
    expect(weirDecimalText(0.1 + 0.2, 2)).toBe('0.30');
    expect(weirDecimalText(5n, 2)).toBe('5.00');
    expect(weirDecimalText('1.5', 1)).toBe('1.5');
    expect(weirDecimalText({ toString: () => '2.50' }, 2)).toBe('2.50');
  });

  it('compares BIGINT exactly, whatever JS type holds it', () => {
    const big = 2n ** 53n + 1n;
    expectSameRows([{ b: 2 ** 60 }], [{ b: 2n ** 60n }]);
    expectSameRows([{ b: big }], [{ b: big }]);
    expect(() => expectSameRows([{ b: 2 ** 53 }], [{ b: big }])).toThrow();
    expect(() => expectSameRows([{ b: -(2 ** 63) }], [{ b: -(2n ** 63n) + 1n }])).toThrow();
  });

  it('compares DECIMAL at the scale of DuckDB\'s column and DOUBLE with a tolerance', () => {
    expectSameRows([{ d: 12.3 }], [{ d: new OracleDecimal(1230n, 2) }]);
    expect(() => expectSameRows([{ d: 12.31 }], [{ d: new OracleDecimal(1230n, 2) }])).toThrow();
    expect(() => expectSameRows([{ d: 12.301 }], [{ d: new OracleDecimal(1230n, 2) }])).toThrow();
    expectSameRows([{ x: 0.1 + 0.2 }], [{ x: 0.3 }]);
    expect(() => expectSameRows([{ x: 0.3001 }], [{ x: 0.3 }])).toThrow();
  });
});

describe('Oracle.query', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('reads BIGINT, HUGEINT and DECIMAL exactly', async () => {
    const [row] = await oracle.query(`SELECT 9007199254740993::BIGINT AS b, (-9223372036854775808)::BIGINT AS lo,
      42::BIGINT AS small, 123456789012345678.91::DECIMAL(20,2) AS d, 0.5::DECIMAL(4,3) AS half,
      (SELECT SUM(x) FROM (VALUES (9223372036854775807::BIGINT), (9223372036854775807::BIGINT)) v(x)) AS huge`);
    expect(row!.b).toBe(9007199254740993n);
    expect(row!.lo).toBe(-(2n ** 63n));
    expect(row!.small).toBe(42);
    expect(String(row!.d)).toBe('123456789012345678.91');
    expect(String(row!.half)).toBe('0.500');
    expect(row!.huge).toBe(2n ** 64n - 2n);
  });

  it('round-trips exact values through a table', async () => {
    const rows = [{ b: 9007199254740993n, d: new OracleDecimal(-1n, 2) }, { b: 2 ** 40, d: 3.25 }, { b: null, d: null }];
    await oracle.createTable('exact_t', [{ name: 'b', type: 'BIGINT' }, { name: 'd', type: 'DECIMAL(10,2)' }], rows);
    const got = await oracle.query('SELECT b, d FROM exact_t');
    expectSameRows(rows, got);
    expect(() => expectSameRows([{ b: 2 ** 53, d: -0.01 }, rows[1]!, rows[2]!], got)).toThrow();
  });
});
