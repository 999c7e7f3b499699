/**
 * The undo log of in-place state changes: whatever a batch does to the arrays and value maps it
 * recorded (elements set, arrays grown and shrunk, slots replaced, multiplicities changed, several
 * times over), rollback leaves them exactly as they were, with no holes, and an empty log after.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateUndoLog } from '../../../src/executor/operators/aggregate/state-undo-log.js';
import { fcParams } from '../../support/property.js';

/** A change a batch makes, to array `at` of the state (or, for 'count', to its value map). */
type Change =
  | { kind: 'set'; at: number; i: number; v: unknown }
  | { kind: 'push'; at: number; v: unknown }
  | { kind: 'pop'; at: number }
  | { kind: 'slot'; at: number; i: number; v: unknown }
  | { kind: 'count'; v: string; by: number };

// (few values: a failure shrinks quickly)
const value: fc.Arbitrary<unknown> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'é', null, 2n ** 63n, NaN));
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(3), i: fc.nat(5), v: value }),
  fc.record({ kind: fc.constant('push' as const), at: fc.nat(3), v: value }),
  fc.record({ kind: fc.constant('pop' as const), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('slot' as const), at: fc.nat(3), i: fc.nat(5), v: value }),
  fc.record({ kind: fc.constant('count' as const), v: fc.constantFrom('x', 'y', 'z'), by: fc.constantFrom(-1, 1) }),
);

describe('StateUndoLog', () => {
  it('takes back every recorded change, newest first, leaving arrays and maps as they were', () => {
    fc.assert(fc.property(fc.array(fc.array(value, { maxLength: 5 }), { minLength: 4, maxLength: 4 }),
      fc.array(fc.tuple(fc.constantFrom('x', 'y'), fc.integer({ min: 1, max: 3 })), { maxLength: 2 }),
      fc.array(change, { maxLength: 20 }), (generated, counts, changes) => {
        // (copies: fast-check shrinks from the values it generated, which must stay as they were)
        const arrays = generated.map((a) => a.slice());
        const seen = new Map<unknown, number>(counts);
        const before = { arrays: arrays.map((a) => a.slice()), seen: new Map(seen) };
        const log = new StateUndoLog();
        // as the aggregation does: an array is recorded once before its first change in the batch
        // (a state, a stored value), a slot before each replacement, a multiplicity at each change
        const recorded = new Set<number>();
        for (const c of changes) {
          if (c.kind === 'count') {
            const n = seen.get(c.v) ?? 0;
            if (n + c.by < 0) continue;
            log.record(seen, c.v, n);
            if (n + c.by === 0) seen.delete(c.v); else seen.set(c.v, n + c.by);
            continue;
          }
          const a = arrays[c.at]!;
          if (c.kind === 'slot') {
            if (c.i >= a.length) continue;
            log.recordSlot(a, c.i);
            a[c.i] = c.v;
            continue;
          }
          if (!recorded.has(c.at)) { log.recordState(a); recorded.add(c.at); }
          if (c.kind === 'set' && c.i < a.length) a[c.i] = c.v;
          else if (c.kind === 'push') a.push(c.v);
          else if (c.kind === 'pop') a.pop();
        }
        log.rollback();
        expect(arrays).toEqual(before.arrays);
        for (const a of arrays) expect(Object.keys(a).length).toBe(a.length); // no holes
        expect(seen).toEqual(before.seen);
        expect(log.size).toBe(0);
      }), fcParams({ numRuns: 300 }));
  });

  it('forgets what it recorded once the batch commits', () => {
    const log = new StateUndoLog();
    const state = [1, 2];
    log.recordState(state);
    state[0] = 5;
    log.clear();
    log.rollback();
    expect(state).toEqual([5, 2]);
  });
});
