/**
 * The append-only DISTINCT's set of numbers (number-set.ts) against a JS Set: any mix of additions
 * and deletions (an aborted batch's), through growth, with the values hashing and equality get wrong
 * (NaN, -0, infinities, ±2^53, doubles that differ in one bit); and its bytes come back as the same
 * set through the file store's encoding and structured clone (LMDB's msgpack: stream-restart.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberSet } from '../../../src/executor/operators/aggregate/number-set.js';
import { decodeEntry, encodeEntry } from '../../../src/state/state-codec.js';
import { fcParams } from '../../support/property.js';
import { safeIntegerEdges } from '../../support/value-edges.js';

/** the values a Map would tell apart, as it does (SameValueZero: NaN is one value, -0 is 0) */
const numbers: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -40, max: 40 }),
  safeIntegerEdges,
  fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 2 ** 53, 2 ** 63, -(2 ** 63), 0.1, 0.1 + 2 ** -56, Number.MIN_VALUE, 2 ** 31, -(2 ** 31), 2 ** 31 - 1),
  fc.double(),
);

const sorted = (xs: Iterable<number>): number[] => [...xs].map((x) => (Object.is(x, -0) ? 0 : x)).sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));

describe('NumberSet', () => {
  it('holds what a JS Set holds, through growth, deletions and re-additions (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), numbers), { maxLength: 300, size: 'max' }), (ops) => {
      let set = NumberSet.empty();
      const model = new Set<number>();
      for (const [add, v] of ops) {
        if (add) {
          set = set.roomFor(v);
          expect(set.add(v)).toBe(!model.has(v));
          model.add(v);
        } else {
          expect(set.delete(v)).toBe(model.delete(v));
        }
        expect(set.size).toBe(model.size);
      }
      for (const v of model) expect(set.has(v)).toBe(true);
      expect(sorted(set.members())).toEqual(sorted(model));
      for (const [, v] of ops) expect(set.has(v)).toBe(model.has(v));
    }), fcParams());
  });

  it('deletes from the middle of a collision run and still finds every other value, narrow or wide', () => {
    // a small table full to its limit: every run of probes is long
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 6, maxLength: 6 }), fc.nat(5), fc.boolean(), (ints, k, wide) => {
      const xs = wide ? ints.map((x) => x / 8) : ints;
      const set = NumberSet.empty(8, wide);
      for (const x of xs) expect(set.roomFor(x)).toBe(set);
      for (const x of xs) set.add(x);
      expect(set.roomFor(xs[0]!)).not.toBe(set); // a seventh value would pass three quarters
      set.delete(xs[k]!);
      for (const x of xs) expect(set.has(x)).toBe(x !== xs[k]);
      expect(set.size).toBe(5);
    }), fcParams());
  });

  it('stays narrow for 32-bit integers, NaN and -0, and widens for any other number', () => {
    let set = NumberSet.empty();
    for (const v of [1, -0, NaN, -(2 ** 31), 2 ** 31 - 1]) { expect(set.roomFor(v)).toBe(set); set.add(v); }
    expect(set.byteLength).toBe(16 + 8 * 4); // eight 4-byte slots
    expect(() => set.add(0.5)).toThrow(/roomFor/);
    const wide = set.roomFor(2 ** 31);
    expect(wide.byteLength).toBe(16 + 8 * 8); // the same eight slots, of doubles
    set = wide;
    for (const v of [2 ** 31, 0.5, -Infinity, 2 ** 53 + 2]) { set = set.roomFor(v); set.add(v); }
    expect(set.byteLength).toBe(16 + 16 * 8); // nine values need sixteen
    expect(sorted(set.members())).toEqual(sorted([1, 0, NaN, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 0.5, -Infinity, 2 ** 53 + 2]));
  });

  it('comes back the same set from the file store\'s encoding and structured clone, and from a misaligned copy', () => {
    let set = NumberSet.empty();
    const values = [1, -0, NaN, 2 ** 53, -Infinity, 0.5, ...Array.from({ length: 40 }, (_, i) => i * 7919)];
    for (const v of values) { set = set.roomFor(v); set.add(v); }
    const want = sorted(set.members());
    // the file store's text codec
    const [, decoded] = decodeEntry(encodeEntry('k', [[3], set]))!;
    const fromText = (decoded as unknown[])[1] as Uint8Array;
    expect(fromText).not.toBeInstanceOf(NumberSet);
    expect(sorted(NumberSet.adopt(fromText).members())).toEqual(want);
    // structured clone (worker threads)
    expect(sorted(NumberSet.adopt(structuredClone(set) as Uint8Array).members())).toEqual(want);
    // bytes at an odd offset are copied, not viewed
    const odd = new Uint8Array(set.byteLength + 1);
    odd.set(set, 1);
    const adopted = NumberSet.adopt(odd.subarray(1));
    expect(sorted(adopted.members())).toEqual(want);
    expect(adopted.has(NaN) && adopted.has(0) && !adopted.has(3)).toBe(true);
    // what slice() gives is plain bytes, not a set sharing nothing with its header
    expect(set.slice()).not.toBeInstanceOf(NumberSet);
    expect(() => NumberSet.adopt(new Uint8Array(18))).toThrow(/not a number set/);
  });
});
