/**
 * ARRAY, MAP and MULTISET columns (common/collections.ts): JS values in and out, the SQL type through
 * the Arrow field and back (a MULTISET's tag included), take / concat / gather over sliced columns
 * (List offsets are absolute child rows), and the key codec's encoding (a map's order is no part of
 * its value; decode gives the value back). Random nested values, seed printed (COLL_UNIT_SEED).
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnFromValues, concatBatches, batchFromColumns, takeData, valueAt } from '../../src/common/columns.js';
import { gather } from '../../src/common/gather.js';
import type { SqlType } from '../../src/common/types.js';
import { fromArrowField, T, toArrowField, typeToString } from '../../src/common/types.js';
import { KeyCodec } from '../../src/executor/keys/key-codec.js';
import { encodeColumns } from '../../src/executor/keys/key-columns.js';
import { seeded } from '../support/oracle.js';

const SEED = Number(process.env.COLL_UNIT_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`collections.test.ts seed ${SEED} (replay with COLL_UNIT_SEED=${SEED})`);

const NESTED: SqlType = T.array(T.array(T.INT));
const MAP: SqlType = T.map(T.VARCHAR, T.array(T.BIGINT));
const MULTI: SqlType = T.multiset(T.VARCHAR);
const ROWS: SqlType = T.array(T.row([{ name: 'a', type: T.INT }, { name: 's', type: T.VARCHAR }]));

function values(r: () => number, n: number): { nested: unknown[]; map: unknown[]; multi: unknown[]; rows: unknown[] } {
  const maybe = <V>(p: number, f: () => V): V | null => (r() < p ? null : f());
  const list = <V>(max: number, f: () => V): V[] => Array.from({ length: Math.floor(r() * (max + 1)) }, f);
  const word = (): string => ['a', 'ü', '日本', '', '🙂'][Math.floor(r() * 5)]!;
  return {
    nested: Array.from({ length: n }, () => maybe(0.2, () => list(3, () => maybe(0.2, () => list(3, () => maybe(0.2, () => Math.floor(r() * 100) - 50)))))),
    map: Array.from({ length: n }, () => maybe(0.2, () => new Map(list(3, () => [word() + String(Math.floor(r() * 9)), maybe(0.2, () => list(2, () => Math.floor(r() * 1e6)))] as const)))),
    multi: Array.from({ length: n }, () => maybe(0.2, () => new Map(list(3, () => [word(), 1 + Math.floor(r() * 3)] as const)))),
    rows: Array.from({ length: n }, () => maybe(0.2, () => list(2, () => maybe(0.2, () => ({ a: maybe(0.2, () => Math.floor(r() * 10)), s: word() }))))),
  };
}

const read = (d: arrow.Data): unknown[] => Array.from({ length: d.length }, (_, i) => valueAt(d, i));

describe('collection columns', () => {
  const r = seeded(SEED);
  const v = values(r, 60);
  const cases: [SqlType, unknown[]][] = [[NESTED, v.nested], [MAP, v.map], [MULTI, v.multi], [ROWS, v.rows]];

  it.each(cases.map(([t, xs]) => [typeToString(t), t, xs] as const))('%s: values in, the same values out', (_name, t, xs) => {
    expect(read(columnFromValues(t, xs))).toEqual(xs);
  });

  it.each(cases.map(([t]) => [typeToString(t), t] as const))('%s: the SQL type survives the Arrow field', (_name, t) => {
    expect(typeToString(fromArrowField(toArrowField('c', t)))).toBe(typeToString(t));
  });

  it('take, concat and gather of sliced columns keep each row\'s elements', () => {
    for (const [t, xs] of cases) {
      const d = columnFromValues(t, xs);
      const sliced = d.slice(7, 40);
      const expected = xs.slice(7, 47);
      const idx = Uint32Array.from({ length: 25 }, () => Math.floor(r() * sliced.length));
      expect(read(takeData(sliced, idx)), `take ${typeToString(t)}`).toEqual(Array.from(idx, (i) => expected[i]));
      const schema = new arrow.Schema([toArrowField('c', t)]);
      const b1 = batchFromColumns(schema, [d.slice(0, 10)], 10), b2 = batchFromColumns(schema, [sliced], sliced.length);
      expect(read(concatBatches(schema, [b1, b2]).data.children[0]!), `concat ${typeToString(t)}`).toEqual([...xs.slice(0, 10), ...expected]);
      const which = Uint32Array.from({ length: 30 }, () => (r() < 0.5 ? 0 : 1));
      const rows = Uint32Array.from(which, (w) => Math.floor(r() * (w === 0 ? 10 : sliced.length)));
      const src = [d.slice(0, 10), sliced];
      expect(read(gather(src, which, rows)), `gather ${typeToString(t)}`).toEqual(Array.from(which, (w, i) => (w === 0 ? xs[rows[i]!] : expected[rows[i]!])));
    }
  });
});

describe('the key codec', () => {
  it('encodes equal arrays and maps alike (map order aside), unequal ones apart, and decodes them back', () => {
    const codec = new KeyCodec([NESTED, MAP]);
    const r = seeded(SEED + 1);
    const v = values(r, 80);
    for (let i = 0; i < v.nested.length; i++) {
      const key = codec.encode([v.nested[i], v.map[i]]);
      expect(codec.decode(key).map((x, c) => (c === 1 && x instanceof Map ? new Map([...x].sort()) : x)))
        .toEqual([v.nested[i], v.map[i] instanceof Map ? new Map([...(v.map[i] as Map<string, unknown>)].sort()) : v.map[i]]);
      const reversed = v.map[i] instanceof Map ? new Map([...(v.map[i] as Map<string, unknown>)].reverse()) : v.map[i];
      expect(codec.encode([v.nested[i], reversed])).toBe(key);
    }
    expect(codec.encode([[[1, 2]], null])).not.toBe(codec.encode([[[1], [2]], null]));
    expect(codec.encode([[[1, null]], null])).not.toBe(codec.encode([[[1]], null]));
    expect(codec.encode([[], null])).not.toBe(codec.encode([null, null]));
    expect(codec.encode([[[]], null])).not.toBe(codec.encode([[null], null]));
  });

  it('encodes a column of arrays as it encodes each value', () => {
    const codec = new KeyCodec([NESTED]);
    const v = values(seeded(SEED + 2), 40).nested;
    const d = columnFromValues(NESTED, v).slice(5, 30);
    expect(encodeColumns(codec, [d], d.length)).toEqual(v.slice(5, 35).map((x) => codec.encode([x])));
  });
});
