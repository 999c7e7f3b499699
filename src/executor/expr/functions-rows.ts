/**
 * The kernel of `ROW(a, b, …)` (planner/functions-rows.ts): a row vector whose fields are the
 * arguments' own vectors, so nothing is copied; every row is valid (a ROW of NULLs is not NULL).
 */
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl } from './node.js';
import { rowVec } from './vector.js';

const rowValue: FnImpl = (args) => (inp) => {
  const fields = args.map((a) => a.eval(inp));
  return rowVec(inp.length, null, (k) => fields[k]!);
};

export const ROW_FUNCTIONS = { row_value: rowValue } satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
