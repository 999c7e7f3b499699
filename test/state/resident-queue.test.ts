/**
 * The spilling store's queue of resident keys (resident-queue.ts) against a plain model (an array
 * in least-recently-used order): any sequence of uses and removals gives the same oldest key,
 * through the compactions that drop stale entries.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResidentQueue } from '../../src/state/resident-queue.js';
import { fcParams } from '../support/property.js';

type Op = { readonly use: boolean; readonly key: string };

describe('resident queue', () => {
  it('gives the least recently used key, as an LRU list would', () => {
    // numbered keys ('#' and base 36) keep their stamps in a typed array, the others (and '#01', or a
    // number far past the others) in a Map
    const op = fc.record({ use: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', '#0', '#1z', '#01', '#zzzzzz') });
    // long runs of uses of few keys: the queue compacts (its stale entries pass 2 × size + 1024)
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 3000 }), (ops: Op[]) => {
      const q = new ResidentQueue();
      let model: string[] = [];
      for (const o of ops) {
        if (o.use) {
          q.use(o.key);
          model = [...model.filter((k) => k !== o.key), o.key];
        } else {
          expect(q.remove(o.key)).toBe(model.includes(o.key));
          model = model.filter((k) => k !== o.key);
        }
        expect(q.size).toBe(model.length);
        expect(q.oldest()).toBe(model[0]);
      }
    }), fcParams({ numRuns: 60 }));
  });

  it('holds about as many entries as resident keys while a spilling store cycles through many keys', () => {
    // as q18's store: each key used once, the oldest dropped to keep 500 resident
    const q = new ResidentQueue();
    let most = 0;
    for (let i = 0; i < 200_000; i++) {
      q.use(i % 2 === 0 ? `k${i}` : `#${i.toString(36)}`);
      if (q.size > 500) q.remove(q.oldest()!);
      most = Math.max(most, q.held);
    }
    expect(q.size).toBe(500);
    expect(q.oldest()).toBe('k199500');
    q.remove('k199500');
    expect(q.oldest()).toBe(`#${(199_501).toString(36)}`);
    expect(most).toBeLessThan(4096); // about 2 × (500 + 1024); every key ever used (200 000) before the fix
  });
});
