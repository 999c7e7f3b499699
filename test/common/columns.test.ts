import { describe, expect, it } from 'vitest';
import { batchToRows, columnFromValues, concatBatches, rowsToBatch, takeBatch, valueAt } from '../../src/common/columns.js';
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
