/**
 * The optimizer's rules, in the order they run. Each rule preserves results exactly; the tests
 * compare EXPLAIN text before and after.
 */
import { constantFolding } from './constant-folding.js';
import { filterPushdown } from './filter-pushdown.js';
import { projectionPruning } from './projection-pruning.js';
import type { Rule } from './rule.js';

export type { Rule } from './rule.js';

export const RULES: readonly Rule[] = [
  constantFolding,
  filterPushdown,
  // Pushed-down predicates were substituted through projections: fold what became constant.
  constantFolding,
  projectionPruning,
];
