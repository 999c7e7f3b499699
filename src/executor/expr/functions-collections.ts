/**
 * Kernels of the collection functions (planner/functions-collections.ts). Collections are JS values
 * per row (an ObjVec: arrays and Maps, common/collections.ts), so these work row by row on getters;
 * the numbers and strings they return go into typed vectors as every other kernel's do.
 */
import type { SqlType } from '../../common/types.js';
import { T } from '../../common/types.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl, Input, Node } from './node.js';
import { runtimeError } from './node.js';
import type { Vec } from './vector.js';
import { builder, getter } from './vector.js';

/** A kernel computing each row's result from its arguments' JS values (null in, null out unless `nullsIn`). */
export function perRow(args: readonly Node[], out: SqlType, f: (vals: unknown[]) => unknown, nullsIn = false): (inp: Input) => Vec {
  return (inp) => {
    const n = inp.length;
    const gets = args.map((a) => getter(a.eval(inp), a.type));
    const b = builder(out, n);
    const vals = new Array<unknown>(args.length);
    for (let i = 0; i < n; i++) {
      let anyNull = false;
      for (let j = 0; j < gets.length; j++) { vals[j] = gets[j]!(i); if (vals[j] === null) anyNull = true; }
      b.set(i, anyNull && !nullsIn ? null : f(vals));
    }
    return b.finish();
  };
}

/** SQL equality of two non-null values of one type, NULL elements equal to each other (ARRAY_CONTAINS, map lookups). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === 'bigint' || typeof b === 'bigint' ? a == b : false; // eslint-disable-line eqeqeq
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      let found = false;
      for (const [k2, v2] of b) if (sameValue(k, k2)) { found = sameValue(v, v2); break; }
      if (!found) return false;
    }
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function mapGet(m: Map<unknown, unknown>, key: unknown): unknown {
  const v = m.get(key);
  if (v !== undefined || typeof key !== 'object') return v ?? null;
  for (const [k, x] of m) if (sameValue(k, key)) return x;
  return null;
}

const arrayValue: FnImpl = (args, call) => perRow(args, call.type, (vals) => [...vals], true);

const mapValue: FnImpl = (args, call) => ({
  mayThrow: true,
  eval: perRow(args, call.type, (vals) => {
    const m = new Map<unknown, unknown>();
    for (let k = 0; k < vals.length; k += 2) {
      if (vals[k] === null) throw runtimeError('a MAP key is NULL: MAP[...] takes non-NULL keys', call.span);
      // a later value for the same key replaces the earlier (as Flink's MAP[...])
      const key = vals[k]!;
      let existing: unknown = key;
      if (typeof key === 'object') for (const k2 of m.keys()) if (sameValue(k2, key)) { existing = k2; break; }
      m.set(existing, vals[k + 1]);
    }
    return m;
  }, true),
});

const item: FnImpl = (args, call) => {
  const container = args[0]!.type;
  if (container.kind === 'MAP') return perRow(args, call.type, ([m, k]) => mapGet(m as Map<unknown, unknown>, k));
  return perRow(args, call.type, ([a, i]) => {
    const xs = a as unknown[], idx = i as number;
    // 1-based; out of range (0, negative, past the end) is NULL
    return Number.isInteger(idx) && idx >= 1 && idx <= xs.length ? xs[idx - 1] ?? null : null;
  });
};

const cardinality: FnImpl = (args) => perRow(args, T.INT, ([c]) => (Array.isArray(c) ? c.length : (c as Map<unknown, unknown>).size));

const element: FnImpl = (args, call) => ({
  mayThrow: true,
  eval: perRow(args, call.type, ([a]) => {
    const xs = a as unknown[];
    if (xs.length > 1) throw runtimeError(`ELEMENT takes an array of at most one element, got one of ${xs.length}`, call.span);
    return xs.length === 0 ? null : xs[0] ?? null;
  }),
});

/** ARRAY_CONTAINS(arr, x): NULL for a NULL array; a NULL x is found when the array holds a NULL (Flink). */
const arrayContains: FnImpl = (args) => perRow(args, T.BOOLEAN, ([a, x]) => {
  if (a === null) return null;
  const xs = a as unknown[];
  if (x === null) return xs.some((e) => e === null || e === undefined);
  return xs.some((e) => e !== null && e !== undefined && sameValue(e, x));
}, true);

export const COLLECTION_FUNCTIONS = {
  array_value: arrayValue, map_value: mapValue, item, cardinality, element, array_contains: arrayContains,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
