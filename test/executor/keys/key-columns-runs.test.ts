/**
 * The batch key codec (key-columns.ts) gives a row whose value equals the row before's that row's
 * string. These tests hold it to the row codec (KeyCodec.encode) on columns drawn from a few values
 * each, so runs and near-equal neighbours are frequent: int64s differing in one 32-bit half only,
 * 2^53 and 2^53 + 1, -0 after 0, NaN after NaN, NULLs, strings with separators, ROW values, every
 * typed-array path (BIGINT, INT, SMALLINT, DOUBLE, FLOAT) and the generic one.
 *
 * Fresh inputs every run (fast-check, seed printed; WEIR_SEED replays).
 */
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFromValues } from '../../../src/common/columns.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { KeyCodec } from '../../../src/executor/keys/key-codec.js';
import { encodeColumns } from '../../../src/executor/keys/key-columns.js';
import { fcParams } from '../../support/property.js';
import { doubleEdges, edgeStrings, int64Edges, nullable, rowValues } from '../../support/value-edges.js';

const ROW_T = T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.VARCHAR }]);

/** int64s that share one 32-bit half with another value of the pool: a check of one half would merge them */
const halfTwins = fc.constantFrom(5, 2 ** 32 + 5, 2 ** 33 + 5, 2 ** 32, 2 ** 32 - 1, -1, -(2 ** 32) - 1);

/** each type with what its values are drawn from */
const kinds: readonly (readonly [SqlType, fc.Arbitrary<unknown>])[] = [
  [T.BIGINT, fc.oneof(int64Edges, halfTwins)],
  [T.INT, fc.constantFrom(0, -1, 1, 2147483647, -2147483648, 65536)],
  [T.SMALLINT, fc.constantFrom(0, -1, 1, 32767, -32768)],
  [T.DOUBLE, doubleEdges],
  [T.FLOAT, fc.constantFrom(0, -0, NaN, 1.5, -1.5, Infinity)],
  [T.VARCHAR, edgeStrings],
  [ROW_T, rowValues],
];

/** a column of n rows drawn from a pool of 1-4 values of one kind (NULLs among them when `nulls`) */
const columnArb = (n: number) => fc.tuple(fc.integer({ min: 0, max: kinds.length - 1 }), fc.boolean()).chain(([k, nulls]) => {
  const [type, value] = kinds[k]!;
  const v = nulls ? nullable(value, 3) : value;
  return fc.array(v, { minLength: 1, maxLength: 4 }).chain((pool) =>
    fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: n, maxLength: n })
      .map((picks) => ({ type, values: picks.map((p) => pool[p]) })));
});

const batchArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(columnArb(n), { minLength: 1, maxLength: 3 })));

describe('key columns over runs of equal values', () => {
  it('give every row the string the row codec gives it', () => {
    fc.assert(fc.property(batchArb, ([n, cols]) => {
      const codec = new KeyCodec(cols.map((c) => c.type));
      const keys = encodeColumns(codec, cols.map((c) => columnFromValues(c.type, c.values)), n);
      for (let i = 0; i < n; i++) expect(keys[i]).toBe(codec.encode(cols.map((c) => c.values[i])));
    }), fcParams({ numRuns: 300 }));
  });

  it('keep two rows apart that differ in one 32-bit half of an int64, and in the second column only', () => {
    const values = BigInt64Array.from([5n, 5n + (1n << 32n), 5n + (1n << 32n), 6n + (1n << 32n), -1n, -1n - (1n << 32n)]);
    const d = arrow.makeData({ type: new arrow.Int64(), length: values.length, nullCount: 0, data: values });
    const runs = arrow.makeData({ type: new arrow.Int64(), length: values.length, nullCount: 0, data: new BigInt64Array(values.length) });
    const codec = new KeyCodec([T.BIGINT, T.BIGINT]);
    const keys = encodeColumns(codec, [runs, d], values.length);
    expect(keys.map((k) => codec.decode(k)[1])).toEqual([5, 2 ** 32 + 5, 2 ** 32 + 5, 2 ** 32 + 6, -1, -1 - 2 ** 32]);
    expect(new Set(keys).size).toBe(5);
  });

  it('group NaNs of other bits, 0 after -0 and -0 after 0 as the row codec does', () => {
    const bits = new Uint32Array([0, 0x7ff80000, 1, 0x7ff80000, 0, 0x80000000, 0, 0, 0, 0x80000000]);
    const f = new Float64Array(bits.buffer);
    const d = arrow.makeData({ type: new arrow.Float64(), length: f.length, nullCount: 0, data: f });
    const codec = new KeyCodec([T.DOUBLE]);
    const keys = encodeColumns(codec, [d], f.length);
    for (let i = 0; i < f.length; i++) expect(keys[i]).toBe(codec.encode([f[i]]));
    expect(keys[0]).toBe(keys[1]); // two NaNs
    expect(keys[2]).toBe(keys[3]); // 0 after -0
    expect(keys[3]).toBe(keys[4]); // -0 after 0
  });
});
