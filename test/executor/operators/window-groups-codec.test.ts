/**
 * The compact form of a key's open windows (window-groups-codec.ts), against the arrays it stands
 * for: decoding gives back every number exactly (NaN, -0, ±∞, integers near 2^53, empty MIN/MAX
 * states), a window is found and decoded alone by its end, closing windows up to a time keeps the
 * others, and windows holding anything but numbers have no compact form.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeWindowGroupEnding, decodeWindowGroups, encodedHasEnd, encodedOpenAfter, encodeWindowGroups, type WindowGroup,
} from '../../../src/executor/operators/window/window-groups-codec.js';
import { fcParams } from '../../support/property.js';

const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1.7e12),
);

/** windows of one key with distinct ends, each with `numAccs` accumulator states of 0–3 numbers */
const groupsArb = (numAccs: number): fc.Arbitrary<WindowGroup[]> =>
  fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { maxLength: 6 }).chain((ends) =>
    fc.tuple(...ends.map((e) => fc.tuple(
      fc.array(fc.array(number, { maxLength: 3 }), { minLength: numAccs, maxLength: numAccs }),
      fc.integer({ min: 0, max: 1e6 }),
    ).map(([accs, rows]): WindowGroup => [1.7e12 + e * 1000 - 10_000, 1.7e12 + e * 1000, accs, null, rows, 3]))));

/** The group without its batch mark (decoding sets its own). */
const shape = (g: WindowGroup): unknown[] => [g[0], g[1], g[2], g[3], g[4]];

describe('window-groups-codec', () => {
  it('decodes exactly what it encoded, and finds each window by its end', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }).chain((k) => fc.tuple(fc.constant(k), groupsArb(k))), ([numAccs, groups]) => {
      const text = encodeWindowGroups(groups)!;
      expect(typeof text).toBe('string');
      const back = decodeWindowGroups(text, numAccs, 7);
      // toEqual tells NaN from a number and -0 from 0 (Object.is)
      expect(back.map(shape)).toEqual(groups.map(shape));
      for (const g of back) expect(g[5]).toBe(7);
      for (const g of groups) {
        expect(encodedHasEnd(text, numAccs, g[1])).toBe(true);
        expect(shape(decodeWindowGroupEnding(text, numAccs, g[1])!)).toEqual(shape(g));
      }
      expect(encodedHasEnd(text, numAccs, 0.5)).toBe(false);
      expect(decodeWindowGroupEnding(text, numAccs, 0.5)).toBeUndefined();
    }), fcParams({ numRuns: 300 }));
  });

  it('closes the windows ending at or before a time and keeps the rest', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 3 }).chain((k) => fc.tuple(fc.constant(k), groupsArb(k), fc.integer({ min: -60, max: 60 }))),
      ([numAccs, groups, at]) => {
        const upTo = 1.7e12 + at * 1000;
        const open = encodedOpenAfter(encodeWindowGroups(groups)!, numAccs, upTo);
        const expected = groups.filter((g) => g[1] > upTo);
        if (expected.length === 0) expect(open).toBe('');
        else expect(decodeWindowGroups(open, numAccs, 0).map(shape)).toEqual(expected.map(shape));
      },
    ), fcParams({ numRuns: 300 }));
  });

  it('has no compact form for windows holding text, bigints, nested states or an emitted row', () => {
    const w = (accs: unknown[][], emitted: unknown[] | null = null): WindowGroup[] => [[0, 10, accs, emitted, 1, 0]];
    expect(encodeWindowGroups(w([[1], ['a']]))).toBeUndefined();
    expect(encodeWindowGroups(w([[2n ** 60n, 3]]))).toBeUndefined();
    expect(encodeWindowGroups(w([[[5, 1]]]))).toBeUndefined();
    expect(encodeWindowGroups(w([[undefined]]))).toBeUndefined();
    expect(encodeWindowGroups(w([[1]], [0, 10, 1]))).toBeUndefined();
    expect(encodeWindowGroups(w([[1]]))).toBeTypeOf('string');
  });
});
