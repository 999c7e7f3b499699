/**
 * ARRAY, MAP and MULTISET values (issue 11 item 6) as Arrow columns and as JS values.
 *
 * An ARRAY<T> is an Arrow List<T>: row i's elements are child rows offsets[i] .. offsets[i+1]. A
 * MAP<K, V> is an Arrow Map (a list of non-null {key, value} structs); a MULTISET<T> is held as a
 * Map<T, INT> of each distinct element and its count, its field tagged so it reads back as a
 * MULTISET. arrow-js slices a List's offsets with the Data but never its child: offsets are absolute
 * child row numbers, as a Utf8 column's are byte positions.
 *
 * As JS values (kernels, state, the API): an ARRAY is a JS array of its elements' values, a MAP and a
 * MULTISET a JS Map (insertion order = the entries' order in the column).
 */
import * as arrow from 'apache-arrow';
import { InternalError } from './errors.js';
import type { SqlType } from './types.js';
import { toArrowType } from './types.js';

type ColumnBuilder = (t: SqlType, values: readonly unknown[]) => arrow.Data;
type ValueReader = (d: arrow.Data, i: number) => unknown;
type Taker = (d: arrow.Data, indices: Uint32Array | Int32Array, count?: number) => arrow.Data;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const makeAny = arrow.makeData as (props: any) => arrow.Data;

/** A MAP's or MULTISET's entries from the JS forms the API accepts: a Map, a plain object, or [key, value] pairs. */
export function mapEntries(v: unknown): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()];
  if (Array.isArray(v)) return v.map((e) => (Array.isArray(e) ? [e[0], e[1]] : [e, 1]));
  if (typeof v === 'object' && v !== null) return Object.entries(v);
  throw new InternalError(`a MAP value of JS type ${typeof v}`);
}

/** A MULTISET's JS value from an array of its elements (each counted) or an element → count Map. */
export function multisetOf(v: unknown): Map<unknown, number> {
  if (v instanceof Map) return v as Map<unknown, number>;
  const out = new Map<unknown, number>();
  if (Array.isArray(v)) {
    for (const e of v) out.set(e, (out.get(e) ?? 0) + 1);
    return out;
  }
  for (const [k, c] of mapEntries(v)) out.set(k, Number(c));
  return out;
}

/** An ARRAY, MAP or MULTISET column from JS values (null/undefined = NULL); `build` makes the child columns. */
export function collectionColumn(t: SqlType, values: readonly unknown[], valid: { bitmap: Uint8Array | undefined; nullCount: number },
  build: ColumnBuilder): arrow.Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const base = { type: toArrowType(t), length: n, nullCount: valid.nullCount, nullBitmap: valid.bitmap, valueOffsets: offsets };
  if (t.kind === 'ARRAY') {
    const flat: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) {
        if (!Array.isArray(v)) throw new InternalError(`an ARRAY value of JS type ${typeof v}`);
        for (const e of v) flat.push(e);
      }
      offsets[i + 1] = flat.length;
    }
    return makeAny({ ...base, child: build(t.element, flat) });
  }
  if (t.kind !== 'MAP' && t.kind !== 'MULTISET') throw new InternalError(`not a collection type: ${t.kind}`);
  const keys: unknown[] = [];
  const vals: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      const entries = t.kind === 'MULTISET' ? [...multisetOf(v).entries()] : mapEntries(v);
      for (const [k, x] of entries) { keys.push(k); vals.push(x); }
    }
    offsets[i + 1] = keys.length;
  }
  const keyType = t.kind === 'MAP' ? t.key : t.element;
  const valueType: SqlType = t.kind === 'MAP' ? t.value : { kind: 'INT' };
  const entryType = (base.type as arrow.Map_).children[0]!.type as arrow.Struct;
  const child = arrow.makeData({
    type: entryType, length: keys.length, nullCount: 0, children: [build(keyType, keys), build(valueType, vals)],
  });
  return makeAny({ ...base, child });
}

/** Row i's JS value of a List or Map column (valid rows only); `read` reads the child's values. */
export function collectionValueAt(d: arrow.Data, i: number, read: ValueReader): unknown {
  const o = d.valueOffsets!;
  const s = o[i]!, e = o[i + 1]!;
  const child = d.children[0]!;
  if (d.typeId === arrow.Type.List) {
    const out = new Array<unknown>(e - s);
    for (let j = s; j < e; j++) out[j - s] = read(child, j);
    return out;
  }
  const keys = child.children[0]!, vals = child.children[1]!;
  const out = new Map<unknown, unknown>();
  for (let j = s; j < e; j++) out.set(read(keys, j), read(vals, j));
  return out;
}

/** Rows `indices` of a List or Map column, its child rows taken along (nulls kept by `base`). */
export function takeCollection(d: arrow.Data, indices: Uint32Array | Int32Array, count: number,
  base: { type: arrow.DataType; length: number; nullCount: number; nullBitmap: Uint8Array | undefined }, take: Taker): arrow.Data {
  const o = d.valueOffsets!;
  const offsets = new Int32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const j = indices[i]!;
    total += o[j + 1]! - o[j]!;
    offsets[i + 1] = total;
  }
  const childRows = new Uint32Array(total);
  for (let i = 0, k = 0; i < count; i++) {
    const j = indices[i]!;
    for (let r = o[j]!; r < o[j + 1]!; r++) childRows[k++] = r;
  }
  return makeAny({ ...base, valueOffsets: offsets, child: take(d.children[0]!, childRows, total) });
}

/** Columns of one List or Map type, each with offsets from 0 and a child of exactly its rows, joined. */
export function concatCollections(chunks: readonly arrow.Data[], total: number,
  base: { type: arrow.DataType; length: number; nullCount: number; nullBitmap: Uint8Array | undefined },
  merge: (children: readonly arrow.Data[], length: number) => arrow.Data): arrow.Data {
  const offsets = new Int32Array(total + 1);
  let p = 0, b = 0;
  for (const c of chunks) {
    const o = c.valueOffsets!;
    for (let i = 1; i <= c.length; i++) offsets[p + i] = b + o[i]!;
    p += c.length;
    b += o[c.length]!;
  }
  return makeAny({ ...base, valueOffsets: offsets, child: merge(chunks.map((c) => c.children[0]!), b) });
}

/** A List or Map column of `count` nulls. */
export function nullCollection(d: arrow.Data, count: number): arrow.Data {
  const child = d.children[0]!;
  return makeAny({
    type: d.type, length: count, nullCount: count, nullBitmap: new Uint8Array((count + 7) >> 3),
    valueOffsets: new Int32Array(count + 1), child: child.slice(0, 0),
  });
}

/** Row i is row rows[i] of List or Map column sources[which[i]] (common/gather.ts), child rows gathered along. */
export function gatherCollection(sources: readonly arrow.Data[], which: Uint32Array | Int32Array, rows: Uint32Array | Int32Array,
  base: { type: arrow.DataType; length: number; nullCount: number; nullBitmap: Uint8Array | undefined },
  gatherChild: (sources: readonly arrow.Data[], which: Uint32Array, rows: Uint32Array) => arrow.Data): arrow.Data {
  const n = which.length;
  const srcOffsets = sources.map((s) => s.valueOffsets as Int32Array);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = srcOffsets[which[i]!]!, j = rows[i]!;
    total += o[j + 1]! - o[j]!;
    offsets[i + 1] = total;
  }
  const childWhich = new Uint32Array(total), childRows = new Uint32Array(total);
  for (let i = 0, k = 0; i < n; i++) {
    const s = which[i]!, o = srcOffsets[s]!, j = rows[i]!;
    for (let r = o[j]!; r < o[j + 1]!; r++, k++) { childWhich[k] = s; childRows[k] = r; }
  }
  return makeAny({ ...base, valueOffsets: offsets, child: gatherChild(sources.map((s) => s.children[0]!), childWhich, childRows) });
}

/**
 * A reader of a List or Map column's row values (valid rows only), its child columns' readers made
 * once (`readerFor`, columns.ts) rather than a type dispatch per element.
 */
export function collectionReader(d: arrow.Data, readerFor: (d: arrow.Data) => (i: number) => unknown): (i: number) => unknown {
  const o = d.valueOffsets as Int32Array;
  const child = d.children[0]!;
  if (d.typeId === arrow.Type.List) {
    const r = readerFor(child);
    return (i) => {
      const s = o[i]!, e = o[i + 1]!;
      const out = new Array<unknown>(e - s);
      for (let j = s; j < e; j++) out[j - s] = r(j);
      return out;
    };
  }
  const rk = readerFor(child.children[0]!), rv = readerFor(child.children[1]!);
  return (i) => {
    const out = new Map<unknown, unknown>();
    for (let j = o[i]!; j < o[i + 1]!; j++) out.set(rk(j), rv(j));
    return out;
  };
}
