/**
 * The in-memory store's live entries (live-entries.ts, shared with the file store) against a plain
 * Map model: any sequence of puts, deletes, commits and aborts leaves the same entries, values of one
 * string (held as the string itself) included; and the memory estimate follows the keys back on abort.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import type { StateValue } from '../../src/state/state-store.js';
import { fcParams } from '../support/property.js';
import { StoreModel, type StoreOp } from '../support/store-model.js';

type Op = StoreOp;

const key = fc.constantFrom('a', 'b', 'c', '', '#1', '@x', '\uD800');
const value: fc.Arbitrary<StateValue> = fc.oneof(
  fc.string({ unit: 'binary' }).map((s) => [s]),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxLength: 3 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'abort' as const }) },
);

describe('live entries (MemoryStateStore)', () => {
  it('equal a Map model through puts, deletes, commits and aborts', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const store = new MemoryStateStore(0);
      const m = new StoreModel();
      for (const o of ops) {
        await m.apply(store, o);
        const model = m.live;
        expect(new Map(store.entries())).toEqual(model);
        expect(store.size).toBe(model.size);
        for (const k of ['a', '#1', '\uD800', 'zz']) expect(store.get(k)).toEqual(model.get(k));
      }
      await m.commit(store);
      expect(store.numUpdated).toBe(0);
    }), fcParams({ numRuns: 200 }));
  });

  it('hands a one-string value out as a fresh array each read', () => {
    const store = new MemoryStateStore(0);
    store.put('k', ['packed']);
    const first = store.get('k')!;
    expect(first).toEqual(['packed']);
    expect(store.get('k')).not.toBe(first);
    expect([...store.entries()]).toEqual([['k', ['packed']]]);
    // any other value is the very array that was put
    const v = [1, 'x'];
    store.put('j', v);
    expect(store.get('j')).toBe(v);
  });

  it('counts a key once in the memory estimate, and not at all after an abort took it back', async () => {
    const store = new MemoryStateStore(0);
    const empty = store.memoryUsedBytes();
    store.put('key', ['a']);
    store.put('key', ['b']);
    const one = store.memoryUsedBytes();
    expect(one).toBeGreaterThan(empty);
    store.abort();
    expect(store.memoryUsedBytes()).toBe(empty);
    store.put('key', ['c']);
    await store.commit(0);
    store.delete('key');
    store.abort();
    expect(store.memoryUsedBytes()).toBe(one);
  });
});
