/**
 * Kernels of Flink's array and map functions (planner/functions-arrays.ts). Collections are JS values
 * per row (ObjVec, common/collections.ts), so these run per row on the arrays and Maps themselves.
 * NULL handling follows Flink's documentation function by function (see each comment); set
 * operations (DISTINCT, UNION, EXCEPT, INTERSECT) keep first occurrences in order, a NULL element
 * equal to another NULL.
 */
import type { SqlType } from '../../common/types.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import { perRow, sameValue } from './functions-collections.js';
import { compareValues } from './functions-logic.js';
import type { FnImpl } from './node.js';
import { runtimeError } from './node.js';

const isNull = (x: unknown): boolean => x === null || x === undefined;
const norm = (x: unknown): unknown => (x === undefined ? null : x);

/** Membership by SQL value: a Set for primitives, sameValue for nested arrays, maps and rows. */
class ValueSet {
  private readonly prims = new Set<unknown>();
  private readonly objs: unknown[] = [];
  has(x: unknown): boolean {
    const v = norm(x);
    return typeof v === 'object' && v !== null ? this.objs.some((o) => sameValue(o, v)) : this.prims.has(v);
  }
  add(x: unknown): void {
    const v = norm(x);
    if (typeof v === 'object' && v !== null) { if (!this.has(v)) this.objs.push(v); } else this.prims.add(v);
  }
}

const setOf = (xs: readonly unknown[]): ValueSet => { const s = new ValueSet(); for (const x of xs) s.add(x); return s; };

/** The first occurrences of `xs`' elements passing `keep`, in order. */
function distinctWhere(xs: readonly unknown[], keep: (x: unknown) => boolean = () => true, seen = new ValueSet()): unknown[] {
  const out: unknown[] = [];
  for (const x of xs) if (keep(x) && !seen.has(x)) { seen.add(x); out.push(norm(x)); }
  return out;
}

const arr = (v: unknown): unknown[] => v as unknown[];

/** NULL when the array is NULL; the element may be NULL (it is appended / prepended / removed as a value). */
const arrayAppend: FnImpl = (args, call) => perRow(args, call.type, ([a, x]) => (a === null ? null : [...arr(a), x]), true);
const arrayPrepend: FnImpl = (args, call) => perRow(args, call.type, ([a, x]) => (a === null ? null : [x, ...arr(a)]), true);
const arrayRemove: FnImpl = (args, call) => perRow(args, call.type, ([a, x]) => {
  if (a === null) return null;
  return arr(a).filter((e) => (x === null ? !isNull(e) : isNull(e) || !sameValue(e, x))).map(norm);
}, true);
/** 1-based position of the first equal element, 0 when absent; NULL when either argument is NULL (Flink). */
const arrayPosition: FnImpl = (args, call) => perRow(args, call.type, ([a, x]) => arr(a).findIndex((e) => !isNull(e) && sameValue(e, x)) + 1);

/** NULL when any argument is NULL. */
const arrayConcat: FnImpl = (args, call) => perRow(args, call.type, (vals) => vals.flatMap((a) => arr(a).map(norm)));
const arrayUnion: FnImpl = (args, call) => perRow(args, call.type, ([a, b]) => distinctWhere([...arr(a), ...arr(b)]));
const arrayExcept: FnImpl = (args, call) => perRow(args, call.type, ([a, b]) => { const bs = setOf(arr(b)); return distinctWhere(arr(a), (x) => !bs.has(x)); });
const arrayIntersect: FnImpl = (args, call) => perRow(args, call.type, ([a, b]) => { const bs = setOf(arr(b)); return distinctWhere(arr(a), (x) => bs.has(x)); });
const arrayDistinct: FnImpl = (args, call) => perRow(args, call.type, ([a]) => distinctWhere(arr(a)));
const arrayReverse: FnImpl = (args, call) => perRow(args, call.type, ([a]) => arr(a).map(norm).reverse());

/**
 * ARRAY_SLICE(a, start[, end]): inclusive, 1-based; 0 is the beginning, a negative offset counts from
 * the end; start after end, or both out of bounds, is an empty array. NULL when any argument is NULL.
 */
const arraySlice: FnImpl = (args, call) => perRow(args, call.type, ([a, s, e]) => {
  const xs = arr(a), n = xs.length;
  if (n === 0) return [];
  let start = s as number, end = e === undefined ? n : (e as number);
  if (start < 0) start += n + 1;
  if (end < 0) end += n + 1;
  start = Math.max(start, 1);
  end = end === 0 ? 1 : Math.min(end, n);
  return start > end ? [] : xs.slice(start - 1, end).map(norm);
});

/**
 * ARRAY_SORT(a[, ascending_order[, null_first]]): ascending with NULLs first by default; descending
 * puts NULLs last unless null_first says otherwise. NULL when any argument is NULL.
 */
function arraySort(elementType: SqlType): FnImpl {
  return (args, call) => perRow(args, call.type, ([a, asc, nullsFirst]) => {
    const ascending = asc === undefined ? true : Boolean(asc);
    const nf = nullsFirst === undefined ? ascending : Boolean(nullsFirst);
    const xs = arr(a), nulls = xs.filter(isNull).length;
    const values = xs.filter((x) => !isNull(x)).sort((x, y) => (ascending ? 1 : -1) * (compareValues(x, y, elementType) ?? 0));
    const ns = new Array<unknown>(nulls).fill(null);
    return nf ? [...ns, ...values] : [...values, ...ns];
  });
}

/** ARRAY_MAX / ARRAY_MIN: NULL elements are skipped; NULL for a NULL or empty (or all-NULL) array. */
function arrayExtreme(elementType: SqlType, sign: 1 | -1): FnImpl {
  return (args, call) => perRow(args, call.type, ([a]) => {
    let best: unknown = null;
    for (const x of arr(a)) if (!isNull(x) && (best === null || sign * (compareValues(x, best, elementType) ?? 0) > 0)) best = x;
    return best;
  });
}

/** ARRAY_JOIN(a, delimiter[, null_replacement]): NULL elements left out unless replaced; NULL when any argument is NULL. */
const arrayJoin: FnImpl = (args, call) => perRow(args, call.type, ([a, d, r]) =>
  arr(a).flatMap((x) => (isNull(x) ? (r === undefined ? [] : [r]) : [x])).join(d as string));

/**
 * SPLIT(s, delimiter): an empty delimiter splits into characters (code points); adjacent, leading or
 * trailing delimiters give empty strings; an empty string gives an empty array. NULL when any is NULL.
 */
const split: FnImpl = (args, call) => perRow(args, call.type, ([s, d]) => {
  const str = s as string, delim = d as string;
  if (str === '') return [];
  return delim === '' ? [...str] : str.split(delim);
});

const mapKeys: FnImpl = (args, call) => perRow(args, call.type, ([m]) => [...(m as Map<unknown, unknown>).keys()]);
const mapValues: FnImpl = (args, call) => perRow(args, call.type, ([m]) => [...(m as Map<unknown, unknown>).values()].map(norm));
const mapEntries: FnImpl = (args, call) => perRow(args, call.type, ([m]) => [...(m as Map<unknown, unknown>)].map(([key, value]) => ({ key, value: norm(value) })));

/** Put `value` at `key`, replacing an equal (not only identical) nested key. */
function mapPut(m: Map<unknown, unknown>, key: unknown, value: unknown): void {
  let k = key;
  if (typeof key === 'object' && key !== null) for (const k2 of m.keys()) if (sameValue(k2, key)) { k = k2; break; }
  m.set(k, norm(value));
}

/** MAP_FROM_ARRAYS(keys, values): arrays of one length (else an error); a later duplicate key wins. NULL when either is NULL. */
const mapFromArrays: FnImpl = (args, call) => ({
  mayThrow: true,
  eval: perRow(args, call.type, ([ks, vs]) => {
    const keys = arr(ks), values = arr(vs);
    if (keys.length !== values.length) throw runtimeError(`MAP_FROM_ARRAYS takes arrays of one length, got ${keys.length} keys and ${values.length} values`, call.span);
    const m = new Map<unknown, unknown>();
    keys.forEach((k, i) => mapPut(m, norm(k), values[i]));
    return m;
  }),
});

/** MAP_UNION(m1, m2, …): later maps overwrite earlier keys; NULL when any map is NULL. */
const mapUnion: FnImpl = (args, call) => perRow(args, call.type, (maps) => {
  const out = new Map<unknown, unknown>();
  for (const m of maps) for (const [k, v] of m as Map<unknown, unknown>) mapPut(out, k, v);
  return out;
});

const elementType = (t: SqlType): SqlType => (t.kind === 'ARRAY' ? t.element : t);

export const ARRAY_MAP_FUNCTIONS = {
  array_append: arrayAppend, array_prepend: arrayPrepend, array_remove: arrayRemove, array_position: arrayPosition,
  array_concat: arrayConcat, array_union: arrayUnion, array_except: arrayExcept, array_intersect: arrayIntersect,
  array_distinct: arrayDistinct, array_reverse: arrayReverse, array_slice: arraySlice,
  array_sort: (args, call, cx) => arraySort(elementType(args[0]!.type))(args, call, cx),
  array_max: (args, call, cx) => arrayExtreme(elementType(args[0]!.type), 1)(args, call, cx),
  array_min: (args, call, cx) => arrayExtreme(elementType(args[0]!.type), -1)(args, call, cx),
  array_join: arrayJoin, split,
  map_keys: mapKeys, map_values: mapValues, map_entries: mapEntries, map_from_arrays: mapFromArrays, map_union: mapUnion,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
