import { describe, expect, it } from 'vitest';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { Engine } from '../../../src/index.js';
import type { WeirError } from '../../../src/common/errors.js';
import type { BoundExpr } from '../../../src/planner/expr.js';
import { call, constant, lit, T } from './helpers.js';

const ts = (y: number, m: number, d: number, h = 0, mi = 0, s = 0): BoundExpr => lit(Date.UTC(y, m - 1, d, h, mi, s), T.TIMESTAMP);
const V = (x: string): BoundExpr => lit(x, T.VARCHAR);
const diff = (u: string, a: BoundExpr, b: BoundExpr) => constant(call('timestampdiff', T.INT, V(u), a, b));

describe('TIMESTAMPDIFF', () => {
  it('truncates toward zero on whole units, both ways', () => {
    expect(diff('SECOND', ts(2024, 1, 1, 0, 0, 0), lit(Date.UTC(2024, 0, 1, 0, 0, 1) - 1, T.TIMESTAMP))).toBe(0);
    expect(diff('MINUTE', ts(2024, 1, 1, 0, 1, 30), ts(2024, 1, 1, 0, 0, 0))).toBe(-1);
    expect(diff('DAY', ts(2024, 1, 1, 12), ts(2024, 1, 3, 11))).toBe(1);
  });
  it('counts months as DuckDB does: a month end plus a month is the next month\'s end', () => {
    expect(diff('MONTH', ts(2024, 1, 31), ts(2024, 2, 29))).toBe(1);
    expect(diff('MONTH', ts(2024, 1, 31, 12), ts(2024, 2, 29, 10))).toBe(0);
    expect(diff('MONTH', ts(2024, 2, 29), ts(2024, 1, 31))).toBe(-1);
    expect(diff('MONTH', ts(2024, 3, 31), ts(2024, 2, 29))).toBe(-1);
    expect(diff('MONTH', ts(2080, 8, 31), ts(2088, 2, 29))).toBe(90);
    expect(diff('MONTH', ts(2024, 1, 30), ts(2024, 2, 28))).toBe(0);
    expect(diff('MONTH', ts(1993, 9, 30), lit(Date.UTC(1993, 8, 1) - 1, T.TIMESTAMP))).toBe(0);
    expect(diff('MONTH', ts(2024, 1, 15), ts(2024, 2, 15))).toBe(1);
    expect(diff('MONTH', ts(2024, 3, 15), ts(2024, 1, 16))).toBe(-1);
    expect(diff('YEAR', ts(2020, 2, 29), ts(2021, 2, 28))).toBe(1);
    expect(diff('QUARTER', ts(2020, 1, 1), ts(2020, 12, 31))).toBe(3);
  });
  it('is NULL for a NULL argument, and refuses an unknown unit', () => {
    expect(diff('DAY', lit(null, T.TIMESTAMP), ts(2024, 1, 1))).toBeNull();
    expect(() => diff('FORTNIGHT', ts(2024, 1, 1), ts(2024, 1, 2))).toThrow(/unknown time unit 'FORTNIGHT'/);
  });
});

describe('TIMESTAMPADD, TO_TIMESTAMP_LTZ, CURRENT_DATE', () => {
  it('TIMESTAMPADD clamps month ends and keeps a DATE a DATE', () => {
    expect(constant(call('timestampadd', T.TIMESTAMP, V('MONTH'), lit(1, T.BIGINT), ts(2024, 1, 31)))).toBe(Date.UTC(2024, 1, 29));
    expect(constant(call('timestampadd', T.DATE, V('WEEK'), lit(-1, T.BIGINT), lit(10, T.DATE)))).toBe(3);
  });
  it('TO_TIMESTAMP_LTZ reads seconds (precision 0) or milliseconds (3, the default)', () => {
    expect(constant(call('to_timestamp_ltz', T.TIMESTAMP_LTZ, lit(1700000000, T.BIGINT), lit(0, T.INT)))).toBe(1_700_000_000_000);
    expect(constant(call('to_timestamp_ltz', T.TIMESTAMP_LTZ, lit(1700000000123, T.BIGINT)))).toBe(1_700_000_000_123);
    expect(() => constant(call('to_timestamp_ltz', T.TIMESTAMP_LTZ, lit(1, T.BIGINT), lit(6, T.INT)))).toThrow(/precision must be 0/);
  });
  it('CURRENT_DATE is the processing time date in the session time zone', () => {
    const now = Date.UTC(2024, 5, 30, 23, 30);
    expect(constant(call('current_date', T.DATE), defaultExprContext({ now: () => now }))).toBe(19904);
    expect(constant(call('current_date', T.DATE), defaultExprContext({ now: () => now, timeZone: 'Europe/Berlin' }))).toBe(19905);
  });
});

describe('time unit syntax', () => {
  const errorOf = async (sql: string): Promise<string> => {
    try {
      await new Engine().explain(`CREATE TABLE t (a TIMESTAMP(3), s STRING) WITH ('connector' = 'memory');\n${sql}`);
    } catch (e) {
      return (e as WeirError).format();
    }
    return 'no error';
  };
  it('takes the unit as a keyword, and names wrong arguments at their position', async () => {
    expect(await errorOf('SELECT TIMESTAMPDIFF(SECOND, a, a), TIMESTAMPADD(hour, 2, a), CURRENT_DATE, TO_TIMESTAMP_LTZ(1, 3) FROM t')).toBe('no error');
    expect(await errorOf('SELECT TIMESTAMPDIFF(SECOND, s, a) FROM t')).toMatch(/^<sql>:2:8: TIMESTAMPDIFF expects \(unit, TIMESTAMP or DATE, TIMESTAMP or DATE\)/);
  });
});
