import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnFromValues } from '../../../src/common/columns.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { KeyCodec } from '../../../src/executor/keys/key-codec.js';
import { encodeColumns } from '../../../src/executor/keys/key-columns.js';

const ROW_T = T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.VARCHAR }]);

describe('key codec', () => {
  it('keeps string pairs with separators apart (the \\u0001 collision)', () => {
    const c = new KeyCodec([T.VARCHAR, T.VARCHAR]);
    expect(c.encode(['x\u0001sy', 'z'])).not.toBe(c.encode(['x', 'y\u0001sz']));
    expect(c.encode(['a\u0000', ''])).not.toBe(c.encode(['a', '\u0000']));
    expect(c.encode(['', null])).not.toBe(c.encode([null, '']));
  });

  it('keeps different ROW values apart and equal ROW values together', () => {
    const c = new KeyCodec([ROW_T]);
    expect(c.encode([{ a: 1, b: 'x' }])).not.toBe(c.encode([{ a: 2, b: 'x' }]));
    expect(c.encode([{ a: 1, b: 'x' }])).toBe(c.encode([{ a: 1, b: 'x' }]));
    expect(c.encode([{ a: null, b: 'x' }])).not.toBe(c.encode([null]));
  });

  it('groups NaN with NaN and -0 with 0 (as DuckDB groups them)', () => {
    const c = new KeyCodec([T.DOUBLE]);
    const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
    expect(Number.isNaN(otherNaN)).toBe(true);
    expect(c.encode([NaN])).toBe(c.encode([otherNaN]));
    expect(c.encode([-0])).toBe(c.encode([0]));
    expect(c.encode([0.5])).not.toBe(c.encode([-0.5]));
    expect(c.encode([Infinity])).not.toBe(c.encode([-Infinity]));
    expect(Object.is(c.decode(c.encode([-0]))[0], 0)).toBe(true);
  });

  it('keeps BIGINT 2^53 and 2^53+1 apart, and a number and a bigint of one value together', () => {
    const c = new KeyCodec([T.BIGINT]);
    const a = c.encode([2n ** 53n]);
    const b = c.encode([2n ** 53n + 1n]);
    expect(a).not.toBe(b);
    expect(c.encode([2 ** 53])).toBe(a); // an exact double of the same value
    expect(c.encode([12345])).toBe(c.encode([12345n]));
    expect(c.encode([-1])).toBe(c.encode([-1n]));
    expect(c.decode(b)).toEqual([2n ** 53n + 1n]);
  });

  it('encodes a number equal across INT and DOUBLE key types alike (SQL equality in join keys)', () => {
    expect(new KeyCodec([T.INT]).encode([7])).toBe(new KeyCodec([T.DOUBLE]).encode([7]));
  });

  it('round-trips every kind of value', () => {
    const types: SqlType[] = [T.BOOLEAN, T.INT, T.BIGINT, T.DOUBLE, T.decimal(38, 2), T.VARCHAR, T.DATE, T.TIMESTAMP, ROW_T, T.decimal(10, 2)];
    const c = new KeyCodec(types);
    const rows: unknown[][] = [
      [true, -2147483648, -(2n ** 63n), NaN, 10n ** 30n, 'é\u0000\u0001\uD800x', 19000, 1_700_000_000_123, { a: 5, b: '' }, 12.5],
      [false, 2147483647, 2n ** 63n - 1n, -1e-300, -(10n ** 30n), '', -1, -1, { a: null, b: null }, -3],
      [null, null, null, null, null, null, null, null, null, null],
      [true, 0, -(2 ** 53 - 1), Infinity, 0, 'a'.repeat(70000), 0, 0, { a: -1, b: 'z' }, Number.MAX_SAFE_INTEGER],
    ];
    for (const r of rows) {
      const k = c.encode(r);
      expect(c.decode(k)).toEqual(r);
      // payload units never are surrogates (the LMDB store keeps such keys as UTF-8)
      const payloadOnly = c.encode(r.map((v) => (typeof v === 'string' ? 'x' : v)));
      expect(/[\uD800-\uDFFF]/.test(payloadOnly)).toBe(false);
    }
  });

  it('encodes a batch of Arrow columns exactly as it encodes the same JS values', () => {
    const types: SqlType[] = [T.BIGINT, T.INT, T.DOUBLE, T.VARCHAR, ROW_T, T.TIMESTAMP, T.decimal(10, 2)];
    const c = new KeyCodec(types);
    const columns: unknown[][] = [
      [1, -5, 2 ** 40, null, 0, 9007199254740991],
      [1, -5, 7, 0, null, -2147483648],
      [1, -0, NaN, 2.5, null, 1e300],
      ['a', 'a\u0001b', '', null, 'ü', 'x'],
      [{ a: 1, b: 'x' }, null, { a: 1, b: 'x' }, { a: 2, b: null }, { a: 1, b: 'x' }, { a: 0, b: '' }],
      [0, 1_700_000_000_000, -1, 5, null, 1],
      [125, 300, -300, null, 10, 9999999999], // DECIMAL(10, 2) values are unscaled integers (1.25 is 125)
    ];
    const n = 6;
    const datas = types.map((t, k) => columnFromValues(t, columns[k]!));
    const batch = encodeColumns(c, datas, n);
    for (let i = 0; i < n; i++) expect(batch[i]).toBe(c.encode(columns.map((col) => col[i])));
    // the same columns without NULLs take the typed-array paths
    const plain = [T.BIGINT, T.INT, T.DOUBLE];
    const pc = new KeyCodec(plain);
    const pcols = [[1, -5, 2 ** 40, -(2 ** 52)], [0, -1, 2147483647, 3], [-0, NaN, 1.5, 4]];
    const pb = encodeColumns(pc, plain.map((t, k) => columnFromValues(t, pcols[k]!)), 4);
    for (let i = 0; i < 4; i++) expect(pb[i]).toBe(pc.encode(pcols.map((col) => col[i])));
    expect(pc.decode(pb[0]!)).toEqual([1, 0, 0]);
  });

  it('encodes an Int64 column exactly: 2^53 and 2^53+1 are two keys, each equal to its bigint', () => {
    const values = BigInt64Array.from([2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n]);
    const d = arrow.makeData({ type: new arrow.Int64(), length: values.length, nullCount: 0, data: values });
    const c = new KeyCodec([T.BIGINT]);
    const keys = encodeColumns(c, [d], values.length);
    expect(new Set(keys).size).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      expect(keys[i]).toBe(c.encode([values[i]!]));
      expect(c.decode(keys[i]!)).toEqual([i === 4 ? 5 : values[i]]);
    }
  });
});

