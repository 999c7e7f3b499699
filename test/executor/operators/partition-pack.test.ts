/**
 * A Top-N partition packed into one string (partition-pack.ts): unpacking gives back every row's
 * arrival number, ORDER BY values and row string exactly (NaN, -0, integers near 2^53, bigints near
 * 2^63, strings with separators, astral characters and lone surrogates, NULLs, several ORDER BY
 * keys), the id is read without unpacking, and a value with no packed form is refused by name.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pack, packable, packId, unpack } from '../../../src/executor/operators/rank/partition-pack.js';
import { Entry } from '../../../src/executor/operators/rank/top-n-state.js';
import { fcParams } from '../../support/property.js';

const sortValue = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.constantFrom(NaN, -0, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53), 1.7e12),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ',', '\u0000', '\ud800', 'a\udc00b', '😀', '#@'),
  fc.boolean(),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
);

/** a row string: any characters of one byte each, as row-codec.ts makes them */
const rowText = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }).map((b) => String.fromCharCode(...b));

const rowsArb = (sortKeys: number): fc.Arbitrary<Entry[]> => fc.array(fc.tuple(
  fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  sortKeys === 1 ? sortValue : fc.array(sortValue, { minLength: sortKeys, maxLength: sortKeys }),
  rowText,
).map(([seq, sort, text]) => new Entry(seq, sort, text, 3, 4)), { maxLength: 12 });

/** What a packed row keeps (not the batch position of a row not encoded yet). */
const shape = (e: Entry): unknown[] => [e.seq, e.sort, e.text];

describe('partition-pack', () => {
  it('unpacks exactly the rows it packed, and reads the id alone', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(fc.constant(k), fc.integer({ min: 0, max: 2 ** 40 }), rowsArb(k))),
      ([sortKeys, id, rows]) => {
        expect(packable(rows, sortKeys)).toBe(true);
        const s = pack(id, rows, sortKeys);
        // one byte a character: it goes into the state store (and a checkpoint) as it is
        for (let c = 0; c < s.length; c++) expect(s.charCodeAt(c)).toBeLessThan(256);
        expect(packId(s)).toBe(id);
        // toEqual tells NaN from a number and -0 from 0 (Object.is), a bigint from a number
        expect(unpack(s, sortKeys).map(shape)).toEqual(rows.map(shape));
      },
    ), fcParams({ numRuns: 300 }));
  });

  it('gives equal partitions equal packs, and packs that differ in one row differ', () => {
    const a = [new Entry(1, 5, 'x', -1, -1), new Entry(2, 4, 'y', -1, -1)];
    const b = [new Entry(1, 5, 'x', -1, -1), new Entry(2, 4, 'z', -1, -1)];
    expect(pack(7, a, 1)).toBe(pack(7, a.map((e) => new Entry(e.seq, e.sort, e.text, 9, 9)), 1));
    expect(pack(7, a, 1)).not.toBe(pack(7, b, 1));
    expect(unpack(pack(7, [], 1), 1)).toEqual([]);
  });

  it('refuses an ORDER BY value with no packed form, naming its type', () => {
    const rows = [new Entry(1, { f: 1 }, 'x', -1, -1)];
    expect(packable(rows, 1)).toBe(false);
    expect(() => pack(0, rows, 1)).toThrow(/ORDER BY value of type object has no packed form/);
  });

  it('refuses a damaged pack instead of reading past it', () => {
    const s = pack(3, [new Entry(1, 2, 'abc', -1, -1)], 1);
    expect(() => unpack(s + 'x', 1)).toThrow(/ends at/);
  });
});
