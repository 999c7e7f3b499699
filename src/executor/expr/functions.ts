/**
 * The kernel of every built-in scalar function, by registry name. Typed as a full
 * `Record<ScalarFunctionName, FnImpl>`: a name added to planner/functions.ts without a kernel here
 * is a compile error.
 */
import type { ScalarFunctionName } from '../../planner/functions.js';
import { ARITHMETIC_FUNCTIONS } from './functions-arithmetic.js';
import { CONDITIONAL_FUNCTIONS } from './functions-conditional.js';
import { LOGIC_FUNCTIONS } from './functions-logic.js';
import { MATH_FUNCTIONS } from './functions-math.js';
import { STRING_FUNCTIONS } from './functions-string.js';
import { TIME_FUNCTIONS } from './functions-time.js';
import { TIME_UNIT_FUNCTIONS } from './functions-time-units.js';
import { JSON_FUNCTIONS } from './functions-json.js';
import { COLLECTION_FUNCTIONS } from './functions-collections.js';
import { ROW_FUNCTIONS } from './functions-rows.js';
import { INTERNAL_FUNCTIONS } from './functions-internal.js';
import { ARRAY_MAP_FUNCTIONS } from './functions-arrays.js';
import type { FnImpl } from './node.js';

export const FUNCTION_KERNELS: Readonly<Record<ScalarFunctionName, FnImpl>> = {
  ...ARITHMETIC_FUNCTIONS,
  ...LOGIC_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...CONDITIONAL_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...TIME_UNIT_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
  ...ROW_FUNCTIONS,
  ...INTERNAL_FUNCTIONS,
  ...ARRAY_MAP_FUNCTIONS,
};
