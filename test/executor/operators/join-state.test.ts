/**
 * One side of a join against a plain model of its rows: the rows under a key are the same whether
 * the side still scans its blocks or has built its key index (after many probes), through adds,
 * retractions, expiry by the watermark and a rebuild from the store.
 */
import fc from 'fast-check';
import { fcParams } from '../../support/property.js';
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import { toArrowSchema, type Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { JoinSideState, type RowRef } from '../../../src/executor/operators/join/join-state.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { SpillArea } from '../../../src/state/spill-area.js';

const SCHEMA: Schema = { columns: [{ name: 'k', type: T.INT, nullable: true }, { name: 'ts', type: T.BIGINT, nullable: true }] };
const keysOf = (b: { numRows: number; getChild(n: string): { get(i: number): unknown } | null }): unknown[] =>
  Array.from({ length: b.numRows }, (_, i) => b.getChild('k')!.get(i));

type Op = { add: [number, number][] } | { remove: number } | { expire: number } | { probe: number } | { rebuild: true };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ add: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 8 }) }),
  // blocks large enough to hold their keys in a typed array (join-state.ts: compactKeys)
  fc.record({ add: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 50 })), { minLength: 64, maxLength: 100 }) }),
  fc.record({ remove: fc.nat() }),
  fc.record({ expire: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ probe: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ probe: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ rebuild: fc.constant(true as const) }),
);

/** Run `ops`, checking every probe against the model; `indexed`: probe first until the side has built its index. */
function check(ops: readonly Op[], indexed: boolean): void {
  const store = new MemoryStateStore(0);
  let state = new JoinSideState('L', store, toArrowSchema(SCHEMA), true, false, keysOf as never);
  /** live rows of the model: ref → [key, expiry] */
  const live = new Map<RowRef, [number, number]>();
  const probe = (k: number): void => {
    const got = [...state.bucket(k)].sort((a, b) => a - b);
    const want = [...live].filter(([, [key]]) => key === k).map(([r]) => r).sort((a, b) => a - b);
    expect(got).toEqual(want);
  };
  /** probe until the side builds its index (a side without rows never does: it has nothing to scan) */
  const index = (): void => {
    for (let p = 0; indexed && !state.isIndexed && p < 50_000; p++) probe(p % 6);
  };
  const add = (rows: readonly [number, number][]): void => {
    const batch = rowsToBatch(SCHEMA, rows.map(([k, ts]) => ({ k, ts })));
    const first = state.add({ batch, keys: rows.map(([k]) => k), expiry: Float64Array.from(rows, ([, ts]) => ts) });
    rows.forEach(([k, ts], i) => live.set(first + i, [k, ts]));
  };
  if (indexed) {
    // rows of every key that outlive the watermarks below, so the side has something to index
    add([[0, 100], [1, 100], [2, 100], [3, 100], [4, 100], [5, 100]]);
    index();
    expect(state.isIndexed).toBe(true);
  }
  for (const o of ops) {
    if ('add' in o) {
      add(o.add);
    } else if ('remove' in o) {
      const refs = [...live.keys()];
      if (refs.length === 0) continue;
      const ref = refs[o.remove % refs.length]!;
      state.remove(ref);
      live.delete(ref);
    } else if ('expire' in o) {
      state.expire(o.expire, false);
      for (const [r, [, e]] of live) if (e < o.expire) live.delete(r);
    } else if ('probe' in o) {
      probe(o.probe);
    } else {
      state.flush();
      void store.commit(store.version + 1);
      state = new JoinSideState('L', store, toArrowSchema(SCHEMA), true, false, keysOf as never);
      index();
    }
    expect(state.size).toBe(live.size);
  }
}

describe('JoinSideState', () => {
  it('finds the rows of a key while it scans its blocks', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => check(ops, false)), fcParams());
  });

  it('keeps each block apart from the others\' status entries, whatever their ids (block 64 is "1s" in base 36)', () => {
    const store = new MemoryStateStore(0);
    let state = new JoinSideState('L', store, toArrowSchema(SCHEMA), true, false, keysOf as never);
    const live = new Map<RowRef, number>();
    for (let b = 0; b < 80; b++) {
      const rows = [{ k: b % 6, ts: 1000 }, { k: (b + 1) % 6, ts: 1000 }];
      const first = state.add({ batch: rowsToBatch(SCHEMA, rows), keys: rows.map((r) => r.k), expiry: Float64Array.from(rows, (r) => r.ts) });
      rows.forEach((r, i) => live.set(first + i, r.k));
      // a row of every block dies: each block gets a status entry, block 1's before block 64 exists
      state.remove(first);
      live.delete(first);
      state.flush();
    }
    void store.commit(1);
    state = new JoinSideState('L', store, toArrowSchema(SCHEMA), true, false, keysOf as never);
    expect(state.size).toBe(live.size);
    for (let k = 0; k < 6; k++) {
      expect([...state.bucket(k)].sort((a, b) => a - b)).toEqual([...live].filter(([, key]) => key === k).map(([r]) => r).sort((a, b) => a - b));
    }
  });

  it('finds the same rows once many probes have made it build its index', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => check(ops, true)), fcParams({ numRuns: 60 }));
  });

  it('finds rows by number keys that are no 32-bit integers (-0 with 0, NaN with NaN), in large blocks, scanned, indexed and rebuilt', () => {
    const sch: Schema = { columns: [{ name: 'k', type: T.DOUBLE, nullable: true }, { name: 'ts', type: T.BIGINT, nullable: true }] };
    const KEYS = [0.5, -0, 0, 2 ** 40 + 0.25, NaN, 7, -3, 2 ** 31];
    const rows = Array.from({ length: 100 }, (_, i) => ({ k: KEYS[i % KEYS.length]!, ts: 1000 }));
    const ints = Array.from({ length: 100 }, (_, i) => ({ k: [-0, 0, 5, -(2 ** 31)][i % 4]!, ts: 1000 }));
    for (const block of [rows, ints]) {
      const store = new MemoryStateStore(0);
      const make = (): JoinSideState => new JoinSideState('L', store, toArrowSchema(sch), true, false, keysOf as never);
      let state = make();
      const first = state.add({ batch: rowsToBatch(sch, block), keys: block.map((r) => r.k), expiry: Float64Array.from(block, (r) => r.ts) });
      // SQL equality: -0 = 0; a NaN key finds the NaN rows, as a Map and the scan's Object.is have it
      const want = (k: number): RowRef[] => block.flatMap((r, i) => (r.k === k || Object.is(r.k, k) ? [first + i] : []));
      const sorted = (xs: Iterable<RowRef>): RowRef[] => [...xs].sort((a, b) => a - b);
      const probeAll = (what: string): void => {
        for (const k of [...KEYS, 5, -(2 ** 31), 1]) expect(sorted(state.bucket(k)), `${what}: key ${k}`).toEqual(want(k));
      };
      probeAll('scanned');
      for (let p = 0; !state.isIndexed && p < 50_000; p++) state.bucket(p % 7);
      expect(state.isIndexed).toBe(true);
      probeAll('indexed');
      state.flush();
      void store.commit(store.version + 1);
      state = make();
      probeAll('rebuilt');
    }
  });

  it('reads rows back from the spill file right, many blocks a take, however its blocks are let go and released', () => {
    // a store holding 40 KB of blocks in memory, a side 20 KB (two or three blocks of 100 long rows):
    // a take over every block reads most back, each use letting go of an earlier one mid-take, and
    // blocks let go that the store still holds in memory are read again from there
    const sch: Schema = { columns: [{ name: 'k', type: T.INT, nullable: false }, { name: 's', type: T.VARCHAR, nullable: false }] };
    fc.assert(fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (picks, singles) => {
      const area = new SpillArea();
      const store = new MemoryStateStore(0, -1, { area, threshold: 40_000 });
      const state = new JoinSideState('L', store, toArrowSchema(sch), false, false, keysOf as never);
      const text = (b: number, i: number): string => `block ${b} row ${i} ${'é∑'.repeat(30)} ${b * 1000 + i}`;
      const refs: RowRef[] = [];
      for (let b = 0; b < 12; b++) {
        const rows = Array.from({ length: 100 }, (_, i) => ({ k: (b * 100 + i) % 7, s: text(b, i) }));
        const first = state.add({ batch: rowsToBatch(sch, rows), keys: rows.map((r) => r.k), expiry: undefined });
        for (let i = 0; i < 100; i++) refs.push(first + i);
      }
      const want = (ref: RowRef): string => { const at = refs.indexOf(ref); return text(Math.floor(at / 100), at % 100); };
      for (let round = 0; round < 2; round++) {
        const asked = picks.map((p) => refs[p % refs.length]!);
        const got = state.take(asked);
        const s = got.getChild('s')!;
        expect(Array.from({ length: asked.length }, (_, i) => s.get(i))).toEqual(asked.map(want));
        for (const p of singles) {
          const ref = refs[p % refs.length]!;
          expect(state.values(ref)).toEqual([(refs.indexOf(ref)) % 7, want(ref)]);
        }
      }
      area.close();
    }), fcParams({ numRuns: 40 }));
  });
});
