/**
 * Signatures of the collection functions (issue 11 item 6), as Flink types them:
 * - `ARRAY[a, b, …]`: the elements' common type; `MAP[k1, v1, …]`: the keys' and the values' common types;
 * - `arr[i]` (item): the element type, 1-based, NULL out of range; `map[k]`: the value type, NULL when absent;
 * - CARDINALITY(ARRAY | MAP | MULTISET): INT; ELEMENT(ARRAY<T>): T; ARRAY_CONTAINS(ARRAY<T>, x): BOOLEAN.
 */
import type { SqlType } from '../common/types.js';
import { commonType, isInteger, T, typeToString } from '../common/types.js';

type Resolution = { readonly args: readonly SqlType[]; readonly returns: SqlType } | string;
type Resolver = (args: readonly SqlType[]) => Resolution;

const show = (args: readonly SqlType[]): string => args.map(typeToString).join(', ');

function commonOf(types: readonly SqlType[]): SqlType | undefined {
  let c: SqlType | undefined = T.NULL;
  for (const t of types) c = c && commonType(c, t);
  return c;
}

const arrayValue: Resolver = (args) => {
  if (args.length === 0) return 'needs at least one element: ARRAY[x, …] (an empty array is CAST(NULL AS ARRAY<T>) or a column)';
  const c = commonOf(args);
  if (!c) return `elements have no common type: ${show(args)}`;
  if (c.kind === 'NULL') return 'cannot tell the element type of an array of NULLs: CAST one of them, as ARRAY[CAST(NULL AS INT)]';
  return { args: args.map(() => c), returns: T.array(c) };
};

const mapValue: Resolver = (args) => {
  if (args.length === 0 || args.length % 2 !== 0) return `takes keys and values in pairs, MAP[k1, v1, k2, v2, …], got ${args.length} value${args.length === 1 ? '' : 's'}`;
  const keys = args.filter((_, i) => i % 2 === 0), values = args.filter((_, i) => i % 2 === 1);
  const k = commonOf(keys), v = commonOf(values);
  if (!k) return `keys have no common type: ${show(keys)}`;
  if (!v) return `values have no common type: ${show(values)}`;
  if (k.kind === 'NULL') return 'cannot tell the key type of a map whose keys are all NULL';
  const vt = v.kind === 'NULL' ? T.VARCHAR : v;
  return { args: args.map((_, i) => (i % 2 === 0 ? k : vt)), returns: T.map(k, vt) };
};

const item: Resolver = ([c, i]) => {
  if (c === undefined || i === undefined) return 'expects a collection and an index';
  if (c.kind === 'ARRAY') {
    if (!isInteger(i) && i.kind !== 'NULL') return `of an ARRAY takes an integer index, got ${typeToString(i)}`;
    return { args: [c, T.INT], returns: c.element };
  }
  if (c.kind === 'MAP') {
    if (!commonType(c.key, i)) return `of a ${typeToString(c)} takes a key of type ${typeToString(c.key)}, got ${typeToString(i)}`;
    return { args: [c, c.key], returns: c.value };
  }
  return `applies to an ARRAY or a MAP, not to ${typeToString(c)}`;
};

const cardinality: Resolver = (args) => {
  const [c] = args;
  if (args.length !== 1 || !c) return `expects 1 argument, got ${args.length}`;
  if (c.kind !== 'ARRAY' && c.kind !== 'MAP' && c.kind !== 'MULTISET') return `expects an ARRAY, MAP or MULTISET, got ${typeToString(c)}`;
  return { args: [c], returns: T.INT };
};

const element: Resolver = (args) => {
  const [c] = args;
  if (args.length !== 1 || !c) return `expects 1 argument, got ${args.length}`;
  if (c.kind !== 'ARRAY') return `expects an ARRAY, got ${typeToString(c)}`;
  return { args: [c], returns: c.element };
};

const arrayContains: Resolver = (args) => {
  const [c, x] = args;
  if (args.length !== 2 || !c || !x) return `expects 2 arguments, got ${args.length}`;
  if (c.kind !== 'ARRAY') return `expects an ARRAY as its first argument, got ${typeToString(c)}`;
  const e = commonType(c.element, x);
  if (!e) return `cannot look for a ${typeToString(x)} in an ${typeToString(c)}`;
  return { args: [T.array(e), e], returns: T.BOOLEAN };
};

export const COLLECTION_SIGNATURES = {
  array_value: arrayValue, map_value: mapValue, item, cardinality, element, array_contains: arrayContains,
} as const;
