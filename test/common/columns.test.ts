import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchToRows, columnFromValues, concatBatches, readerFor, rowsToBatch, takeBatch, utf8Text, valueAt } from '../../src/common/columns.js';
import { fcParams } from '../support/property.js';
import { T } from '../../src/common/types.js';
import type { Schema } from '../../src/common/schema.js';

const schema: Schema = {
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 'i', type: T.INT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.INT }, { name: 'y', type: T.VARCHAR }]), nullable: true },
  ],
};
const rows = [
  { b: true, i: 1, l: 10, d: 1.5, s: 'a', ts: 1000, r: { x: 1, y: 'p' } },
  { b: null, i: null, l: null, d: null, s: null, ts: null, r: null },
  { b: false, i: 3, l: 2 ** 40, d: -2, s: 'héllo', ts: 3000, r: { x: null, y: 'q' } },
];

describe('columns', () => {
  it('round-trips rows of every type through Arrow', () => {
    expect(batchToRows(rowsToBatch(schema, rows))).toEqual(rows);
  });
  it('takes rows by index, keeping nulls and nested structs', () => {
    const b = rowsToBatch(schema, rows);
    expect(batchToRows(takeBatch(b, new Uint32Array([2, 1, 2])))).toEqual([rows[2], rows[1], rows[2]]);
  });
  it('reads, takes and concatenates sliced batches (arrow-js pre-slices value buffers)', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...rows[i % 3]!, i }));
    const s2: Schema = { columns: [...schema.columns, { name: 'i', type: T.INT, nullable: false }] };
    const b = rowsToBatch(s2, many);
    const sliced = b.slice(3, 11);
    expect(batchToRows(sliced)).toEqual(many.slice(3, 11));
    expect(batchToRows(takeBatch(sliced, new Uint32Array([0, 5, 2])))).toEqual([many[3], many[8], many[5]]);
    expect(batchToRows(concatBatches(b.schema, [sliced, b.slice(0, 2)]))).toEqual([...many.slice(3, 11), ...many.slice(0, 2)]);
  });

  it('concatenates batches', () => {
    const b1 = rowsToBatch(schema, rows.slice(0, 1));
    const b2 = rowsToBatch(schema, rows.slice(1));
    const all = concatBatches(b1.schema, [b1, b2]);
    expect(batchToRows(all)).toEqual(rows);
    expect(concatBatches(b1.schema, []).numRows).toBe(0);
  });
});

describe('columnFromValues fast paths', () => {
  it('writes safe integers as int64 halves exactly, negative ones included, and bigints beyond', () => {
    const xs = [0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 123456789012, -987654321098, null, 2n ** 63n - 1n, -(2n ** 63n)];
    for (const t of [T.BIGINT, T.TIMESTAMP]) {
      const d = columnFromValues(t, xs);
      const got = Array.from(d.values as BigInt64Array);
      expect(got).toEqual(xs.map((x) => (x === null ? 0n : BigInt(x))));
      expect(d.nullCount).toBe(1);
    }
  });

  it('encodes strings as UTF-8 whatever their characters, and where ASCII turns into other text mid-string', () => {
    const xs = ['', 'abc', 'naïve', 'a☕b', '𝄞x', null, 'x'.repeat(1000) + 'é', 'é'.repeat(500)];
    const d = columnFromValues(T.VARCHAR, xs);
    for (let i = 0; i < xs.length; i++) expect(valueAt(d, i)).toBe(xs[i]);
  });
});

describe('utf8Text', () => {
  // the reading every VARCHAR value goes through: as a WHATWG decoder that keeps a leading U+FEFF
  const whatwg = new TextDecoder('utf-8', { ignoreBOM: true });

  it('reads any bytes as the WHATWG decoder does, invalid sequences as U+FFFD, a leading U+FEFF kept', () => {
    fc.assert(fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new TextEncoder().encode(s))),
      fc.nat(), fc.nat(),
      (bytes, x, y) => {
        const a = bytes.length === 0 ? 0 : x % (bytes.length + 1);
        const z = a + (bytes.length - a === 0 ? 0 : y % (bytes.length - a + 1));
        expect(utf8Text(bytes, a, z)).toBe(whatwg.decode(bytes.subarray(a, z)));
      },
    ), fcParams({ numRuns: 2000 }));
    expect(utf8Text(new Uint8Array([0xef, 0xbb, 0xbf, 0x78]), 0, 4)).toBe('\ufeffx');
    // a value that begins with U+FEFF keeps it, read one at a time or by a column's reader
    const d = columnFromValues(T.VARCHAR, ['\ufeffx', null, 'y\ufeff']);
    expect([0, 1, 2].map((i) => valueAt(d, i))).toEqual(['\ufeffx', null, 'y\ufeff']);
    expect([0, 1, 2].map(readerFor(d))).toEqual(['\ufeffx', null, 'y\ufeff']);
    expect(utf8Text(Buffer.from('aé日😀'), 1, 10)).toBe('é日😀');
  });
});
