import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnFromValues, takeBatch, takeData, valueAt, batchFromColumns } from '../../src/common/columns.js';
import { T } from '../../src/common/types.js';

const values = (d: arrow.Data): unknown[] => Array.from({ length: d.length }, (_, i) => valueAt(d, i));
const pick = <X>(xs: readonly X[], idx: readonly number[]): X[] => idx.map((i) => xs[i]!);

/** Selections with long runs, single rows, repeats and reversals. */
const SELECTIONS: number[][] = [
  [],
  [0],
  Array.from({ length: 100 }, (_, i) => i),
  Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 50 >= 4),
  [99, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 2, 2, 50],
  Array.from({ length: 30 }, (_, i) => 3 * i),
];

describe('takeData', () => {
  const n = 100;
  const big = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : (i - 50) * 2 ** 40 + i));
  const ints = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i * 3 - 100));
  const strs = Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : 'x'.repeat(i % 80) + String(i)));
  const doubles = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : i / 3));

  for (const [name, type, vals] of [
    ['BIGINT beyond 2^32', T.BIGINT, big], ['INT', T.INT, ints], ['VARCHAR', T.VARCHAR, strs], ['DOUBLE', T.DOUBLE, doubles],
  ] as const) {
    it(`takes ${name} rows by runs and by single rows, nulls kept`, () => {
      const d = columnFromValues(type, vals);
      for (const sel of SELECTIONS) {
        expect(values(takeData(d, Uint32Array.from(sel)))).toEqual(pick<unknown>(vals, sel));
      }
    });
  }

  it('takes from a sliced column (bitmap offset)', () => {
    const d = columnFromValues(T.BIGINT, big).slice(13, 60);
    const sel = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 40, 46];
    expect(values(takeData(d, Uint32Array.from(sel)))).toEqual(pick(big.slice(13, 60), sel));
  });

  it('takes an all-null column without reading its values', () => {
    const d = columnFromValues(T.VARCHAR, new Array(20).fill(null));
    const t = takeData(d, Uint32Array.from([1, 2, 3, 9]));
    expect(t.nullCount).toBe(4);
    expect(values(t)).toEqual([null, null, null, null]);
  });

  it('takes struct columns whose children share the parent bitmap', () => {
    const rows = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : { a: i * 2 ** 33, s: `v${i}` }));
    const d = columnFromValues(T.row([{ name: 'a', type: T.BIGINT }, { name: 's', type: T.VARCHAR }]), rows);
    const shared = arrow.makeData({
      type: d.type as arrow.Struct, length: n, nullCount: d.nullCount, nullBitmap: d.nullBitmap,
      children: d.children.map((c) => new arrow.Data(c.type, 0, n, d.nullCount, [c.valueOffsets, c.values, d.nullBitmap])),
    });
    const schema = new arrow.Schema([new arrow.Field('r', d.type, true), new arrow.Field('k', new arrow.Int32(), true)]);
    const k = columnFromValues(T.INT, Array.from({ length: n }, (_, i) => i));
    for (const sel of SELECTIONS) {
      const out = takeBatch(batchFromColumns(schema, [shared, k], n), Uint32Array.from(sel));
      expect(values(out.data.children[0]!)).toEqual(pick(rows, sel));
      expect(values(out.data.children[1]!)).toEqual(sel);
    }
  });
});
