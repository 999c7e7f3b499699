import fc from 'fast-check';
import { fcParams } from '../../support/property.js';
import { describe, expect, it } from 'vitest';
import { ACCUMULATORS, APPEND_ONLY_ACCUMULATORS, listaggWith, finishValue, type Accumulator } from '../../../src/executor/operators/aggregate/accumulators.js';
import { appendOnlyDistinct, distinct } from '../../../src/executor/operators/aggregate/distinct.js';
import { StateUndoLog } from '../../../src/executor/operators/aggregate/state-undo-log.js';
import { NumberSet } from '../../../src/executor/operators/aggregate/number-set.js';
import { T } from '../../../src/common/types.js';

function run(acc: Accumulator, adds: readonly number[], retracts: readonly number[] = []): unknown {
  const s = acc.init();
  for (const v of adds) acc.add(s, v);
  for (const v of retracts) acc.retract(s, v);
  return acc.result(s);
}

describe('accumulators', () => {
  it('compute SQL aggregates', () => {
    expect(run(ACCUMULATORS.count, [5, 6, 7])).toBe(3);
    expect(run(ACCUMULATORS.sum, [1, 2, 3])).toBe(6);
    expect(run(ACCUMULATORS.sum, [])).toBeNull();
    expect(run(ACCUMULATORS.avg, [1, 2])).toBe(1.5);
    expect(run(ACCUMULATORS.avg, [])).toBeNull();
    expect(run(ACCUMULATORS.min, [3, 1, 2])).toBe(1);
    expect(run(ACCUMULATORS.max, [3, 1, 2])).toBe(3);
    expect(run(ACCUMULATORS.var_pop, [2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(4);
    expect(run(ACCUMULATORS.stddev_samp, [1])).toBeNull();
    expect(run(distinct(ACCUMULATORS.count), [1, 1, 2, 3, 3])).toBe(3);
  });

  it('COLLECT counts equal arrays, maps and rows as one value, and retracts by value', () => {
    const acc = ACCUMULATORS.collect;
    const s = acc.init();
    for (const v of [[1, 2], { a: 1, b: 'x' }, [1, 2], new Map([['k', 1]]), { a: 1, b: 'x' }, new Map([['k', 1]]), [2, 1], 7, 7]) acc.add(s, v);
    acc.retract(s, [2, 1]);
    acc.retract(s, { a: 1, b: 'x' });
    const counts = [...(acc.result(s) as Map<unknown, number>)].map(([k, n]) => [k instanceof Map ? [...k] : k, n]);
    expect(counts).toEqual([[[1, 2], 2], [{ a: 1, b: 'x' }, 1], [[['k', 1]], 2], [7, 2]]);
    const listagg = listaggWith(' | ');
    expect(run(listagg, [1, 2, 3], [2])).toBe('1 | 3');
  });

  it('MIN and MAX survive retraction of the extreme', () => {
    expect(run(ACCUMULATORS.max, [3, 9, 9, 5], [9])).toBe(9);
    expect(run(ACCUMULATORS.max, [3, 9, 5], [9])).toBe(5);
    expect(run(ACCUMULATORS.min, [3, 9], [3, 9])).toBeNull();
    expect(run(distinct(ACCUMULATORS.count), [1, 1, 2], [1])).toBe(2);
    expect(run(distinct(ACCUMULATORS.count), [1, 1, 2], [1, 1])).toBe(1);
  });

  it('adding then retracting a multiset leaves what remains (property)', () => {
    const names = ['count', 'sum', 'avg', 'min', 'max'] as const;
    fc.assert(fc.property(fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 30 }), fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 30 }), (keep, gone) => {
      for (const n of names) {
        const expected = run(ACCUMULATORS[n], keep);
        const actual = run(ACCUMULATORS[n], [...gone, ...keep], gone);
        if (typeof expected === 'number') expect(actual as number).toBeCloseTo(expected, 9);
        else expect(actual).toBe(expected);
      }
      const d = distinct(ACCUMULATORS.count);
      expect(run(d, [...gone, ...keep], gone)).toBe(new Set(keep).size);
    }), fcParams());
  });

  it('merging two states equals adding everything to one (property)', () => {
    const all = ['count', 'sum', 'avg', 'min', 'max', 'var_samp'] as const;
    fc.assert(fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.array(fc.integer({ min: -50, max: 50 })), (a, b) => {
      for (const n of all) {
        const acc = ACCUMULATORS[n];
        const s1 = acc.init(); for (const v of a) acc.add(s1, v);
        const s2 = acc.init(); for (const v of b) acc.add(s2, v);
        acc.merge(s1, s2);
        const expected = run(acc, [...a, ...b]);
        if (typeof expected === 'number') expect(acc.result(s1) as number).toBeCloseTo(expected, 6);
        else expect(acc.result(s1)).toBe(expected);
      }
      const d = distinct(ACCUMULATORS.count);
      const s1 = d.init(); for (const v of a) d.add(s1, v);
      const s2 = d.init(); for (const v of b) d.add(s2, v);
      d.merge(s1, s2);
      expect(d.result(s1)).toBe(new Set([...a, ...b]).size);
    }), fcParams());
  });

  it('copies are independent of the original', () => {
    const acc = ACCUMULATORS.max;
    const s = acc.init();
    acc.add(s, 4);
    const c = acc.copy(s);
    acc.add(c, 10);
    expect(acc.result(s)).toBe(4);
    expect(acc.result(c)).toBe(10);
  });

  it('finishes values to their SQL type', () => {
    expect(finishValue(2.5, T.BIGINT)).toBe(2);
    // a DECIMAL is its unscaled integer: exact already, only its range is checked
    expect(finishValue(123, T.decimal(10, 2))).toBe(123);
    expect(() => finishValue(100000, T.decimal(5, 2))).toThrow(/1000.00 is out of range for DECIMAL/);
    expect(() => finishValue(2n ** 63n, T.BIGINT)).toThrow(/9223372036854775808 is out of range for BIGINT/);
    expect(finishValue(null, T.INT)).toBeNull();
  });
});

describe('append-only MIN and MAX', () => {
  it('agree with the retractable forms on any input, strings and NULL-free numbers alike, and merge', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true })), { maxLength: 40 }), fc.nat({ max: 40 }), (xs, cut) => {
      for (const n of ['min', 'max'] as const) {
        const fast = APPEND_ONLY_ACCUMULATORS[n]!;
        expect(run(fast, xs)).toBe(run(ACCUMULATORS[n], xs));
        const a = fast.init(), b = fast.init();
        xs.slice(0, cut).forEach((v) => fast.add(a, v));
        xs.slice(cut).forEach((v) => fast.add(b, v));
        fast.merge(a, b);
        expect(fast.result(a)).toBe(run(ACCUMULATORS[n], xs));
      }
    }), fcParams());
    const strings = APPEND_ONLY_ACCUMULATORS.max!.init();
    for (const v of ['b', 'c', 'a']) APPEND_ONLY_ACCUMULATORS.max!.add(strings, v);
    expect(APPEND_ONLY_ACCUMULATORS.max!.result(strings)).toBe('c');
  });

  it('refuse a retraction (the planner gives them only inputs that never retract)', () => {
    const s = APPEND_ONLY_ACCUMULATORS.max!.init();
    APPEND_ONLY_ACCUMULATORS.max!.add(s, 3);
    expect(() => APPEND_ONLY_ACCUMULATORS.max!.retract(s, 3)).toThrow(/append-only/);
  });
});

describe('DISTINCT states changed in place', () => {
  it('roll back exactly to the state before the batch, whatever the batch did', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 30 }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 8 })), { maxLength: 30 }), (before, batch) => {
        const log = new StateUndoLog();
        const acc = distinct(ACCUMULATORS.count, log);
        const committed = acc.init();
        for (const v of before) acc.add(committed, v);
        log.clear(); // the batch that built it committed
        const canon = (st: unknown[]): string => JSON.stringify([st[0], [...(st[1] as Map<unknown, number>)].sort()]);
        const snapshot = canon(committed);
        const working = acc.copy(committed); // shares the value map
        for (const [add, v] of batch) (add ? acc.add : acc.retract)(working, v);
        log.rollback();
        expect(canon(committed)).toBe(snapshot);
        expect(acc.result(committed)).toBe(new Set(before).size);
      }), fcParams());
  });
});

describe('append-only DISTINCT', () => {
  /** a DISTINCT state's values, as a Map would list them (SameValueZero), sorted */
  const seenOf = (st: unknown[]): string[] => {
    const seen = st[1] as Map<unknown, number> | Uint8Array | null;
    const xs = seen === null ? [] : seen instanceof Map ? [...seen.keys()] : NumberSet.adopt(seen).members();
    return xs.map((x) => `${typeof x}:${Object.is(x, -0) ? 0 : String(x)}`).sort();
  };
  const modelOf = (xs: readonly unknown[]): string[] => seenOf([null, new Map(xs.map((x) => [x, 1]))]);
  // enough numbers that a Map becomes a set (at 32) and the set grows (at 48), the values a set must
  // not tell apart or confuse, and now and then a value that is no number (the values move to a Map)
  const value: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 0, max: 90 }) },
    { weight: 2, arbitrary: fc.constantFrom(NaN, -0, 0.5, 2 ** 53, -Infinity) },
    { weight: 1, arbitrary: fc.constantFrom('7', 7n, 2n ** 63n) },
  );

  it('counts as the retractable DISTINCT does, merges, and rolls an aborted batch back (in place or on a copy)', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 70, size: 'max' }), fc.array(value, { maxLength: 70, size: 'max' }), fc.boolean(), (before, batch, inPlace) => {
      const log = new StateUndoLog();
      const acc = appendOnlyDistinct(ACCUMULATORS.count, log);
      expect(acc.logged).toBe(true); // COUNT's state is flat: a group aggregate changes the stored state
      const committed = acc.init();
      for (const v of before) acc.add(committed, v);
      expect(acc.result(committed)).toBe(run(distinct(ACCUMULATORS.count), before as number[]));
      expect(seenOf(committed)).toEqual(modelOf(before));
      log.clear();
      const working = inPlace ? committed : acc.copy(committed);
      for (const v of batch) acc.add(working, v);
      expect(acc.result(working)).toBe(new Set([...before, ...batch]).size);
      expect(seenOf(working)).toEqual(modelOf([...before, ...batch]));
      log.rollback();
      expect(seenOf(committed)).toEqual(modelOf(before));
      expect(acc.result(committed)).toBe(new Set(before).size);
      const merged = acc.init();
      acc.merge(merged, committed);
      expect(acc.result(merged)).toBe(new Set(before).size);
      // a deep copy (no log) changes apart from its original
      const plain = appendOnlyDistinct(ACCUMULATORS.count);
      const deep = plain.copy(committed);
      plain.add(deep, 'only in the copy');
      expect(seenOf(committed)).toEqual(modelOf(before));
    }), fcParams());
    expect(() => appendOnlyDistinct(ACCUMULATORS.count).retract([[0], new Map()], 1)).toThrow(/append-only/);
  });

  it('takes a state written before number sets (a Map of any size) as it is', () => {
    const acc = appendOnlyDistinct(ACCUMULATORS.count, new StateUndoLog());
    const old = [[20], new Map(Array.from({ length: 20 }, (_, i) => [i, 1]))];
    acc.add(old, 3);
    acc.add(old, 20);
    expect(acc.result(old)).toBe(21);
    expect(old[1]).toBeInstanceOf(Map);
  });
});
