/**
 * hashKeyColumns gives each row the hash of its encoded key string (the exchange's key group), also
 * on the integer path that never makes the strings: checked against KeyCodec.encode + murmur3Utf16
 * for random keys of one to three columns, integers near ±2^53 and ±2^63 among them, and for keys
 * the integer path does not take (strings, doubles, nulls).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFromValues } from '../../../src/common/columns.js';
import type { SqlType } from '../../../src/common/types.js';
import { KeyCodec } from '../../../src/executor/keys/key-codec.js';
import { hashKeyColumns } from '../../../src/executor/keys/key-hash-columns.js';
import { murmur3Utf16 } from '../../../src/executor/keys/key-hash.js';
import { fcParams } from '../../support/property.js';

const BIGINT: SqlType = { kind: 'BIGINT' };
const INT: SqlType = { kind: 'INT' };
const SMALLINT: SqlType = { kind: 'SMALLINT' };
const TS: SqlType = { kind: 'TIMESTAMP', precision: 3, ltz: false };
const VARCHAR: SqlType = { kind: 'VARCHAR' };
const DOUBLE: SqlType = { kind: 'DOUBLE' };

const edgeBig = fc.constantFrom(0n, -1n, 1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n);
const bigValue = fc.oneof(edgeBig, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: -1000, max: 1000 }).map(BigInt));
/** a BIGINT as the engine holds it: a number when safe, else a bigint */
const asEngine = (b: bigint): number | bigint => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

const column = fc.oneof(
  fc.record({ type: fc.constant(BIGINT), gen: fc.constant(bigValue.map(asEngine) as fc.Arbitrary<unknown>) }),
  fc.record({ type: fc.constant(TS), gen: fc.constant(fc.integer({ min: -(2 ** 40), max: 2 ** 42 }) as fc.Arbitrary<unknown>) }),
  fc.record({ type: fc.constant(INT), gen: fc.constant(fc.oneof(fc.integer(), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0, -1)) as fc.Arbitrary<unknown>) }),
  fc.record({ type: fc.constant(SMALLINT), gen: fc.constant(fc.integer({ min: -32768, max: 32767 }) as fc.Arbitrary<unknown>) }),
);

function expected(types: readonly SqlType[], rows: readonly (readonly unknown[])[]): number[] {
  const codec = new KeyCodec(types);
  return rows.map((r) => murmur3Utf16(codec.encode(r)));
}

function check(types: readonly SqlType[], rows: readonly (readonly unknown[])[]): void {
  const columns = types.map((t, c) => columnFromValues(t, rows.map((r) => r[c])));
  const got = [...hashKeyColumns(new KeyCodec(types), columns, rows.length)];
  expect(got).toEqual(expected(types, rows));
}

describe('hashKeyColumns', () => {
  it('equals murmur3Utf16 of the encoded key for integer keys of one to three columns', () => {
    fc.assert(
      fc.property(
        fc.array(column, { minLength: 1, maxLength: 3 }).chain((cols) => fc.tuple(
          fc.constant(cols.map((c) => c.type)),
          fc.array(fc.tuple(...cols.map((c) => c.gen)), { minLength: 1, maxLength: 40 }),
        )),
        ([types, rows]) => check(types, rows),
      ),
      fcParams({ numRuns: 200 }),
    );
  });

  it('equals it too for keys the integer path does not take: strings, doubles, nulls', () => {
    check([VARCHAR], [['a'], [''], ['é|;,\u0000'], ['😀']]);
    check([DOUBLE], [[0], [-0], [NaN], [1.5], [2 ** 53], [-Infinity]]);
    check([BIGINT], [[1], [null], [2 ** 53]]);
    check([BIGINT, VARCHAR], [[1, 'x'], [-(2 ** 53), null], [2n ** 63n - 1n, 'long text']]);
    check([INT, DOUBLE], [[7, 0.1], [-1, NaN]]);
  });
});
