/** gather: rows of several columns of one type, in any order, into one column (the join's stored side). */
import fc from 'fast-check';
import { fcParams } from '../support/property.js';
import { describe, expect, it } from 'vitest';
import { columnFromValues, valueAt } from '../../src/common/columns.js';
import { gather } from '../../src/common/gather.js';
import { T, type SqlType } from '../../src/common/types.js';

const values = (d: { length: number }, at: (i: number) => unknown): unknown[] => Array.from({ length: d.length }, (_, i) => at(i));

const TYPES: readonly [string, SqlType, fc.Arbitrary<unknown>][] = [
  ['BIGINT', T.BIGINT, fc.integer({ min: -(2 ** 50), max: 2 ** 50 })],
  ['INT', T.INT, fc.integer({ min: -1000, max: 1000 })],
  ['DOUBLE', T.DOUBLE, fc.double({ noNaN: true })],
  ['VARCHAR', T.VARCHAR, fc.string({ maxLength: 90 })],
  ['BOOLEAN', T.BOOLEAN, fc.boolean()],
  ['TIMESTAMP(3)', T.TIMESTAMP, fc.integer({ min: 0, max: 2 ** 42 })],
  ['ROW', T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.VARCHAR }]), fc.record({ a: fc.oneof(fc.integer(), fc.constant(null)), b: fc.oneof(fc.string(), fc.constant(null)) })],
];

describe('gather', () => {
  for (const [name, type, value] of TYPES) {
    it(`gives row rows[i] of sources[which[i]] for ${name}, NULLs kept, sliced sources too`, () => {
      const column = fc.array(fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }), { minLength: 1, maxLength: 20 });
      fc.assert(fc.property(fc.array(column, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }), fc.nat({ max: 3 }),
        (cols, picks, cut) => {
          // a source may be a slice of a longer column (arrow-js slices buffers, not bitmaps)
          const sources = cols.map((vals, s) => {
            const whole = columnFromValues(type, s % 2 === 0 ? vals : [...vals.slice(0, cut), ...vals]);
            return s % 2 === 0 ? whole : whole.slice(Math.min(cut, vals.length), vals.length);
          });
          const which = Uint32Array.from(picks, ([w]) => w % sources.length);
          const rows = Uint32Array.from(picks, ([w, r]) => r % sources[w % sources.length]!.length);
          const out = gather(sources, which, rows);
          expect(out.length).toBe(picks.length);
          const expected = Array.from(which, (w, i) => valueAt(sources[w]!, rows[i]!));
          expect(values(out, (i) => valueAt(out, i))).toEqual(expected);
          expect(out.nullCount).toBe(expected.filter((v) => v === null).length);
        }), fcParams());
    });
  }
});
