/**
 * Progress reports' instants (isoOrNull, trigger.ts) are written with Date's ISO text. They were
 * luxon's UTC ISO text before; the two must agree over JavaScript's whole time range (years before 1
 * and after 9999 are written `-000001-…` and `+010000-…` by both), and past it, or at ±infinity or
 * NaN, the answer is null as luxon's invalid DateTime gave.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isoOrNull } from '../../../src/executor/streaming/trigger.js';
import { fcParams } from '../../support/property.js';

const MAX = 8.64e15; // Date's range: ±100 000 000 days from 1970
const luxonIso = (ms: number): string | null => (Number.isFinite(ms) ? DateTime.fromMillis(ms, { zone: 'utc' }).toISO() : null);

describe('isoOrNull', () => {
  it('writes what luxon wrote at the edges of years, eras and the time range', () => {
    const edges = [0, -1, 1, 0.5, -0.5, 1733587200000, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1),
      -62135596800000, -62135596800001, -62167219200001, MAX, -MAX];
    for (const ms of edges) expect(isoOrNull(ms), String(ms)).toBe(luxonIso(ms));
    expect(isoOrNull(Date.UTC(10000, 0, 1))).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoOrNull(-62167219200001)).toBe('-000001-12-31T23:59:59.999Z');
  });

  it('is null past the time range, at ±infinity and NaN', () => {
    for (const ms of [MAX + 1, -MAX - 1, Infinity, -Infinity, NaN, Number.MAX_VALUE]) expect(isoOrNull(ms), String(ms)).toBeNull();
  });

  it('agrees with luxon on any instant (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: -1e13, max: 1e13 }), fc.double({ min: -MAX * 1.01, max: MAX * 1.01 })), (ms) => {
      expect(isoOrNull(ms)).toBe(luxonIso(ms));
    }), fcParams());
  });
});
