/**
 * Signatures of Flink's array and map functions (issue 11 item 6), as Flink types them. Each message
 * names what was expected at which argument position; the binder prefixes the function's name.
 */
import type { SqlType } from '../common/types.js';
import { commonType, isInteger, T, typeToString } from '../common/types.js';

type Resolution = { readonly args: readonly SqlType[]; readonly returns: SqlType } | string;
type Resolver = (args: readonly SqlType[]) => Resolution;

const isText = (t: SqlType): boolean => t.kind === 'VARCHAR' || t.kind === 'NULL';
const count = (args: readonly SqlType[], min: number, max: number): string | undefined =>
  args.length < min || args.length > max
    ? `expects ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} argument${max === 1 ? '' : 's'}, got ${args.length}` : undefined;
const notArray = (t: SqlType | undefined, pos: number): string | undefined =>
  t && t.kind === 'ARRAY' ? undefined : `expects an ARRAY as argument ${pos}, got ${t ? typeToString(t) : 'nothing'}`;
const notMap = (t: SqlType | undefined, pos: number): string | undefined =>
  t && t.kind === 'MAP' ? undefined : `expects a MAP as argument ${pos}, got ${t ? typeToString(t) : 'nothing'}`;
const elementOf = (t: SqlType): SqlType => (t.kind === 'ARRAY' ? t.element : t);

/** f(array): the array's own type back. */
const sameArray = (args: readonly SqlType[]): Resolution =>
  count(args, 1, 1) ?? notArray(args[0], 1) ?? { args, returns: args[0]! };

/** f(array, element): the element cast to the array's element type (or both to their common type). */
const arrayAndElement = (returns: (a: SqlType) => SqlType) => (args: readonly SqlType[]): Resolution => {
  const bad = count(args, 2, 2) ?? notArray(args[0], 1);
  if (bad) return bad;
  const e = commonType(elementOf(args[0]!), args[1]!);
  if (!e) return `argument 2 must be an element of ${typeToString(args[0]!)}, got ${typeToString(args[1]!)}`;
  return { args: [T.array(e), e], returns: returns(T.array(e)) };
};

/** f(array, array, …): all arrays of one common element type. */
const arrays = (min: number, max: number) => (args: readonly SqlType[]): Resolution => {
  const bad = count(args, min, max) ?? args.map((a, i) => notArray(a, i + 1)).find((m) => m);
  if (bad) return bad;
  let e: SqlType | undefined = T.NULL;
  for (const a of args) e = e && commonType(e, elementOf(a));
  if (!e) return `takes arrays of one element type, got ${args.map(typeToString).join(', ')}`;
  return { args: args.map(() => T.array(e)), returns: T.array(e) };
};

const arraySlice: Resolver = (args) => {
  const bad = count(args, 2, 3) ?? notArray(args[0], 1);
  if (bad) return bad;
  for (let i = 1; i < args.length; i++) if (!isInteger(args[i]!) && args[i]!.kind !== 'NULL') return `expects an integer offset as argument ${i + 1}, got ${typeToString(args[i]!)}`;
  return { args: [args[0]!, ...args.slice(1).map(() => T.INT)], returns: args[0]! };
};

const arraySort: Resolver = (args) => {
  const bad = count(args, 1, 3) ?? notArray(args[0], 1);
  if (bad) return bad;
  for (let i = 1; i < args.length; i++) if (args[i]!.kind !== 'BOOLEAN' && args[i]!.kind !== 'NULL') return `expects a BOOLEAN as argument ${i + 1} (${i === 1 ? 'ascending_order' : 'null_first'}), got ${typeToString(args[i]!)}`;
  return { args: [args[0]!, ...args.slice(1).map(() => T.BOOLEAN)], returns: args[0]! };
};

const arrayExtreme: Resolver = (args) => count(args, 1, 1) ?? notArray(args[0], 1) ?? { args, returns: elementOf(args[0]!) };

const arrayJoin: Resolver = (args) => {
  const bad = count(args, 2, 3) ?? notArray(args[0], 1);
  if (bad) return bad;
  if (!isText(elementOf(args[0]!))) return `expects an ARRAY of strings as argument 1, got ${typeToString(args[0]!)}`;
  for (let i = 1; i < args.length; i++) if (!isText(args[i]!)) return `expects a string as argument ${i + 1} (${i === 1 ? 'delimiter' : 'null_replacement'}), got ${typeToString(args[i]!)}`;
  return { args: [T.array(T.VARCHAR), ...args.slice(1).map(() => T.VARCHAR)], returns: T.VARCHAR };
};

const split: Resolver = (args) => {
  const bad = count(args, 2, 2);
  if (bad) return bad;
  for (let i = 0; i < 2; i++) if (!isText(args[i]!)) return `expects a string as argument ${i + 1}, got ${typeToString(args[i]!)}`;
  return { args: [T.VARCHAR, T.VARCHAR], returns: T.array(T.VARCHAR) };
};

const mapPart = (part: 'keys' | 'values' | 'entries'): Resolver => (args) => {
  const bad = count(args, 1, 1) ?? notMap(args[0], 1);
  if (bad) return bad;
  const m = args[0] as SqlType & { kind: 'MAP' };
  const returns = part === 'keys' ? T.array(m.key) : part === 'values' ? T.array(m.value)
    : T.array(T.row([{ name: 'key', type: m.key }, { name: 'value', type: m.value }]));
  return { args, returns };
};

const mapFromArrays: Resolver = (args) => {
  const bad = count(args, 2, 2) ?? notArray(args[0], 1) ?? notArray(args[1], 2);
  if (bad) return bad;
  const k = elementOf(args[0]!), v = elementOf(args[1]!);
  if (k.kind === 'NULL') return 'cannot tell the key type of argument 1';
  return { args, returns: T.map(k, v.kind === 'NULL' ? T.VARCHAR : v) };
};

const mapUnion: Resolver = (args) => {
  const bad = count(args, 1, Infinity) ?? args.map((a, i) => notMap(a, i + 1)).find((m) => m);
  if (bad) return bad;
  const first = args[0] as SqlType & { kind: 'MAP' };
  let k: SqlType | undefined = first.key, v: SqlType | undefined = first.value;
  for (const a of args as (SqlType & { kind: 'MAP' })[]) { k = k && commonType(k, a.key); v = v && commonType(v, a.value); }
  if (!k || !v) return `takes maps of one type, got ${args.map(typeToString).join(', ')}`;
  const m = T.map(k, v);
  return { args: args.map(() => m), returns: m };
};

export const ARRAY_MAP_SIGNATURES = {
  array_append: arrayAndElement((a) => a), array_prepend: arrayAndElement((a) => a),
  array_position: arrayAndElement(() => T.INT), array_remove: arrayAndElement((a) => a),
  array_concat: arrays(1, Infinity), array_union: arrays(2, 2), array_except: arrays(2, 2), array_intersect: arrays(2, 2),
  array_distinct: sameArray, array_reverse: sameArray, array_slice: arraySlice, array_sort: arraySort,
  array_max: arrayExtreme, array_min: arrayExtreme, array_join: arrayJoin, split,
  map_keys: mapPart('keys'), map_values: mapPart('values'), map_entries: mapPart('entries'),
  map_from_arrays: mapFromArrays, map_union: mapUnion,
} as const;

export const ARRAY_MAP_SQL_NAMES = {
  ARRAY_APPEND: 'array_append', ARRAY_PREPEND: 'array_prepend', ARRAY_POSITION: 'array_position', ARRAY_REMOVE: 'array_remove',
  ARRAY_CONCAT: 'array_concat', ARRAY_UNION: 'array_union', ARRAY_EXCEPT: 'array_except', ARRAY_INTERSECT: 'array_intersect',
  ARRAY_DISTINCT: 'array_distinct', ARRAY_REVERSE: 'array_reverse', ARRAY_SLICE: 'array_slice', ARRAY_SORT: 'array_sort',
  ARRAY_MAX: 'array_max', ARRAY_MIN: 'array_min', ARRAY_JOIN: 'array_join', SPLIT: 'split',
  MAP_KEYS: 'map_keys', MAP_VALUES: 'map_values', MAP_ENTRIES: 'map_entries', MAP_FROM_ARRAYS: 'map_from_arrays', MAP_UNION: 'map_union',
} as const;
