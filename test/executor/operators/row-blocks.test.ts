/**
 * The OVER operator's held rows (row-blocks.ts) against a plain model: the rows taken are the rows
 * added, whatever was removed, through batches that commit or abort (the store rolls back, the
 * blocks are read again) and many blocks (block ids past 64, whose base-36 names end in letters).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchFromColumns, batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import { toArrowSchema, type Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowBlocks, type RowRef } from '../../../src/executor/operators/over/row-blocks.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { fcParams } from '../../support/property.js';

const SCHEMA: Schema = { columns: [{ name: 'k', type: T.VARCHAR, nullable: true }, { name: 'v', type: T.BIGINT, nullable: true }] };

type Op = { add: number } | { remove: number } | { commit: boolean };

describe('RowBlocks', () => {
  it('gives back the rows held, by their refs and arrival numbers, across commits and aborted batches', async () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ add: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ remove: fc.nat() }),
      fc.record({ remove: fc.nat() }),
      fc.record({ commit: fc.boolean() }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 300, maxLength: 500 }), async (ops) => {
      const store = new MemoryStateStore(0);
      const blocks = new RowBlocks(store);
      /** the model: ref → [row, arrival number]; and as of the last commit */
      let live = new Map<RowRef, [{ k: string; v: number }, number]>();
      let committed = new Map(live);
      let seq = 0, version = 0;
      const check = (): void => {
        expect(blocks.size).toBe(live.size);
        const refs = [...live.keys()].reverse();
        if (refs.length === 0) return;
        const got = batchToRows(batchFromColumns(toArrowSchema(SCHEMA), blocks.take(refs), refs.length));
        expect(got.map((r) => ({ k: r.k, v: Number(r.v) }))).toEqual(refs.map((r) => live.get(r)![0]));
      };
      for (const o of ops) {
        if ('add' in o) {
          const rows = Array.from({ length: o.add }, (_, i) => ({ k: `k${seq + i}|é`, v: 2 ** 53 - (seq + i) }));
          const first = blocks.add(rowsToBatch(SCHEMA, rows), seq);
          rows.forEach((r, i) => live.set(first + i, [r, seq + i]));
          seq += rows.length;
        } else if ('remove' in o) {
          const refs = [...live.keys()];
          if (refs.length === 0) continue;
          const ref = refs[o.remove % refs.length]!;
          blocks.remove(ref);
          blocks.remove(ref); // twice is once
          live.delete(ref);
        } else {
          check();
          blocks.sync();
          if (o.commit) {
            await store.commit(++version);
            committed = new Map(live);
          } else {
            store.abort();
            live = new Map(committed);
          }
          // read again from the store, as at a restart or after an abort: the same refs, numbers and rows
          const stored = blocks.load();
          const back = new Map<RowRef, [{ k: string; v: number }, number]>();
          for (const b of stored) {
            batchToRows(b.batch).forEach((r, i) => {
              if (b.alive[i] === 1) back.set(b.first + i, [{ k: r.k as string, v: Number(r.v) }, b.firstSeq + i]);
            });
          }
          expect(new Map([...back].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...live].sort((a, b) => a[0] - b[0])));
        }
        check();
      }
    }), fcParams({ numRuns: 30 }));
  });
});
