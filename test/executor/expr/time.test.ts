import { describe, expect, it } from 'vitest';
import { defaultExprContext } from '../../../src/executor/expr/compile.js';
import { call, cast, constant, evalCol, lit, T } from './helpers.js';
import type { BoundExpr } from '../../../src/planner/expr.js';

const TS = Date.UTC(2024, 1, 29, 13, 4, 5, 67); // Thursday 2024-02-29 13:04:05.067
const ts = (x: number | null = TS): BoundExpr => lit(x, T.TIMESTAMP);
const ltz = (x: number | null = TS): BoundExpr => lit(x, T.TIMESTAMP_LTZ);
const V = (x: string): BoundExpr => lit(x, T.VARCHAR);
const berlin = defaultExprContext({ timeZone: 'Europe/Berlin' });

describe('time fields', () => {
  it('read a TIMESTAMP as it is', () => {
    const parts = ['year', 'quarter', 'month', 'week', 'dayofmonth', 'dayofweek', 'dayofyear', 'hour', 'minute', 'second'] as const;
    expect(parts.map((p) => constant(call(p, T.BIGINT, ts())))).toEqual([2024, 1, 2, 9, 29, 5, 60, 13, 4, 5]);
    expect(constant(call('hour', T.BIGINT, ts()), berlin)).toBe(13);
  });
  it('read a TIMESTAMP_LTZ in the session time zone', () => {
    expect(constant(call('hour', T.BIGINT, ltz()), berlin)).toBe(14);
    const summer = Date.UTC(2024, 6, 1, 23, 30);
    expect(constant(call('hour', T.BIGINT, ltz(summer)), berlin)).toBe(1);
    expect(constant(call('dayofmonth', T.BIGINT, ltz(summer)), berlin)).toBe(2);
    // the binder's cast from LTZ to TIMESTAMP does the same
    expect(constant(call('hour', T.BIGINT, cast(ltz(summer), T.TIMESTAMP)), berlin)).toBe(1);
  });
  it('EXTRACT by unit, from timestamps, dates and intervals', () => {
    const ex = (u: string, e: BoundExpr) => constant(call('extract', T.BIGINT, V(u), e));
    expect(ex('YEAR', ts())).toBe(2024);
    expect(ex('MILLISECOND', ts())).toBe(5067);
    expect(ex('DOW', ts())).toBe(5);
    expect(ex('EPOCH', ts())).toBe(Math.floor(TS / 1000));
    expect(ex('DAY', lit(19782, T.DATE))).toBe(29);
    expect(ex('HOUR', lit(93_780_000, T.INTERVAL))).toBe(2); // 1 day 2:03
    expect(() => ex('FORTNIGHT', ts())).toThrow(/unknown time unit/);
  });
  it('ISO weeks at year boundaries', () => {
    const week = (y: number, m: number, d: number) => constant(call('week', T.BIGINT, ts(Date.UTC(y, m - 1, d))));
    expect(week(2021, 1, 3)).toBe(53);
    expect(week(2021, 1, 4)).toBe(1);
    expect(week(2024, 12, 30)).toBe(1);
  });
  it('NULL in gives NULL out', () => {
    expect(evalCol(T.TIMESTAMP, [TS, null], (x) => call('year', T.BIGINT, x))).toEqual([2024, null]);
  });
});

describe('DATE_FORMAT and parsing', () => {
  const fmt = (p: string, e: BoundExpr = ts(), c = defaultExprContext()) => constant(call('date_format', T.VARCHAR, e, V(p)), c);
  it('formats with Java pattern letters', () => {
    expect(fmt('yyyy-MM-dd HH:mm:ss')).toBe('2024-02-29 13:04:05');
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS')).toBe('2024-02-29 13:04:05.067');
    expect(fmt("EEE, d MMM yy 'at' h:mm a")).toBe('Thu, 29 Feb 24 at 1:04 PM');
    expect(fmt('EEEE MMMM D')).toBe('Thursday February 60');
    expect(fmt("yyyyMMdd''HH")).toBe("20240229'13");
    expect(fmt('yyyy-MM-dd HH:mm XXX', ltz(), berlin)).toBe('2024-02-29 14:04 +01:00');
    expect(fmt('HH:mm', lit(null, T.TIMESTAMP))).toBe(null);
  });
  it('TO_TIMESTAMP parses the default and explicit patterns, NULL on failure', () => {
    const tt = (...a: BoundExpr[]) => constant(call('to_timestamp', T.TIMESTAMP, ...a));
    expect(tt(V('2024-02-29 13:04:05'))).toBe(Date.UTC(2024, 1, 29, 13, 4, 5));
    expect(tt(V('2024-02-29 13:04:05.067'))).toBe(TS);
    expect(tt(V('29/02/2024 13.04'), V('dd/MM/yyyy HH.mm'))).toBe(Date.UTC(2024, 1, 29, 13, 4));
    expect(tt(V('20240229130405'), V('yyyyMMddHHmmss'))).toBe(Date.UTC(2024, 1, 29, 13, 4, 5));
    expect(tt(V('2023-02-29 00:00:00'))).toBe(null);
    expect(tt(V('nonsense'))).toBe(null);
    expect(constant(call('to_date', T.DATE, V('2024-02-29')))).toBe(19782);
  });
  it('UNIX_TIMESTAMP and FROM_UNIXTIME use the session zone; PROCTIME is ctx.now()', () => {
    const c = defaultExprContext({ now: () => 1_700_000_000_123, timeZone: 'Asia/Kolkata' });
    expect(constant(call('unix_timestamp', T.BIGINT), c)).toBe(1_700_000_000);
    expect(constant(call('unix_timestamp', T.BIGINT, V('1970-01-01 05:30:00')), c)).toBe(0);
    expect(constant(call('from_unixtime', T.VARCHAR, lit(0, T.BIGINT)), c)).toBe('1970-01-01 05:30:00');
    expect(constant(call('from_unixtime', T.VARCHAR, lit(90, T.BIGINT), V('HH:mm:ss')))).toBe('00:01:30');
    expect(evalCol(T.INT, [1, 2], () => call('proctime', T.TIMESTAMP_LTZ), c)).toEqual([1_700_000_000_123, 1_700_000_000_123]);
    expect(constant(call('current_timestamp', T.TIMESTAMP_LTZ), c)).toBe(1_700_000_000_123);
  });
  it('FLOOR and CEIL to a unit', () => {
    const fl = (u: string, e: BoundExpr = ts()) => constant(call('floor_time', T.TIMESTAMP, e, V(u)));
    const cl = (u: string, e: BoundExpr = ts()) => constant(call('ceil_time', T.TIMESTAMP, e, V(u)));
    expect(fl('SECOND')).toBe(Date.UTC(2024, 1, 29, 13, 4, 5));
    expect(fl('MINUTE')).toBe(Date.UTC(2024, 1, 29, 13, 4));
    expect(fl('HOUR')).toBe(Date.UTC(2024, 1, 29, 13));
    expect(fl('DAY')).toBe(Date.UTC(2024, 1, 29));
    expect(fl('MONTH')).toBe(Date.UTC(2024, 1, 1));
    expect(fl('YEAR')).toBe(Date.UTC(2024, 0, 1));
    expect(cl('HOUR')).toBe(Date.UTC(2024, 1, 29, 14));
    expect(cl('MONTH')).toBe(Date.UTC(2024, 2, 1));
    expect(cl('YEAR')).toBe(Date.UTC(2025, 0, 1));
    expect(cl('HOUR', ts(Date.UTC(2024, 0, 1, 5)))).toBe(Date.UTC(2024, 0, 1, 5));
    expect(constant(call('floor_time', T.DATE, lit(19782, T.DATE), V('MONTH')))).toBe(19782 - 28);
  });
});
