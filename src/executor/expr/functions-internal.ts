/** Kernels of the functions only the planner writes (planner/functions-internal.ts). */
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl } from './node.js';
import { getter, builder } from './vector.js';

/** multiset_of_count(n): the MULTISET {1: n} (a Map of element to count, common/collections.ts); empty for n <= 0 or NULL */
const multisetOfCount: FnImpl = (args, call) => (inp) => {
  const n = inp.length;
  const get = getter(args[0]!.eval(inp), args[0]!.type);
  const b = builder(call.type, n);
  for (let i = 0; i < n; i++) {
    const c = Number(get(i) ?? 0);
    b.set(i, c > 0 ? new Map([[1, c]]) : new Map());
  }
  return b.finish();
};

export const INTERNAL_FUNCTIONS = { multiset_of_count: multisetOfCount } satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
