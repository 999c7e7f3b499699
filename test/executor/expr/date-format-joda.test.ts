/**
 * DATE_FORMAT's pattern letters against Java's DateTimeFormatter with Locale.US, as @js-joda (a port
 * of java.time, a dev dependency only) computes them: random dates 1900-2100 and random patterns of
 * the letters Weir supports, the week-based ones ('YYYY-ww') included. fast-check prints the seed.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, formatWith } from '../../../src/executor/expr/time-format.js';
import { fcParams } from '../../support/property.js';

const require = createRequire(import.meta.url);
require('@js-joda/locale_en-us'); // registers the US locale data
const joda = require('@js-joda/core') as typeof import('@js-joda/core');
const { Locale } = require('@js-joda/locale') as { Locale: { US: unknown } };

const javaFormat = (wall: number, pattern: string): string => {
  const sec = Math.floor(wall / 1000);
  const t = joda.LocalDateTime.ofEpochSecond(sec, (wall - sec * 1000) * 1_000_000, joda.ZoneOffset.UTC);
  // withLocale comes with @js-joda/locale (not in the core typings)
  const f = joda.DateTimeFormatter.ofPattern(pattern) as unknown as { withLocale(l: unknown): import("@js-joda/core").DateTimeFormatter };
  return t.format(f.withLocale(Locale.US));
};
const weirFormat = (wall: number, pattern: string): string => formatWith(compilePattern(pattern), wall);

// the letters whose meaning Weir and java.time share (u is the ISO day number in Weir, as SimpleDateFormat)
const FIELDS = ['yyyy', 'yy', 'YYYY', 'YY', 'MM', 'M', 'MMM', 'MMMM', 'dd', 'd', 'HH', 'H', 'hh', 'h', 'kk', 'KK', 'mm', 'ss',
  'SSS', 'S', 'E', 'EEEE', 'a', 'D', 'DDD', 'w', 'ww', 'Q'];

describe("DATE_FORMAT as Java's DateTimeFormatter (Locale.US)", () => {
  it('formats the week-based year and week as Java: 2024-12-30 is 2025-01', () => {
    expect(weirFormat(Date.UTC(2024, 11, 30), 'YYYY-ww')).toBe('2025-01');
    expect(javaFormat(Date.UTC(2024, 11, 30), 'YYYY-ww')).toBe('2025-01');
  });

  it('agrees on random dates 1900-2100 and random patterns', () => {
    const dateArb = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 11, 31, 23, 59, 59, 999) });
    const patternArb = fc.array(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 4 }).map((fs) => fs.join('-'));
    fc.assert(fc.property(dateArb, patternArb, (wall, pattern) => {
      expect(weirFormat(wall, pattern), `${new Date(wall).toISOString()} ${pattern}`).toBe(javaFormat(wall, pattern));
    }), fcParams({ numRuns: 2000 }));
  });
});
