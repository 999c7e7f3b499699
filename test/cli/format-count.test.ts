/**
 * The CLI's counts and rates (format-count.ts) read as Intl.NumberFormat('en-US', whole numbers)
 * wrote them before: every group of three digits, rounding half away from zero, the numbers next to
 * a power of ten and 2^53, and past the written-out range (negative, 1e21 and up, NaN, infinities),
 * where Intl itself answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src/cli/format-count.js';
import { fcParams } from '../support/property.js';

const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

describe('formatCount', () => {
  it('groups digits and rounds as Intl does, at the edges', () => {
    const edges = [0, -0, 0.4, 0.5, 0.49999999999999994, 1.5, 2.5, 999, 999.5, 1000, 1234, 99_999, 100_000, 999_999.5, 1_840_000, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e20, 1e21 - 65536, 1e21, 1e300,
      -1, -0.4, -1234.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE];
    for (const n of edges) expect(formatCount(n), String(n)).toBe(intl.format(n));
    expect(formatCount(1_840_000)).toBe('1,840,000');
    expect(formatCount(999.5)).toBe('1,000');
  });

  it('agrees with Intl on any count or rate (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.double({ min: 0, max: 1e22, noNaN: true }), fc.double()), (n) => {
      expect(formatCount(n)).toBe(intl.format(n));
    }), fcParams());
  });
});
