/**
 * Limits on what views and WITH queries expand to.
 *
 * A statement's own nesting is limited by the parser (src/parser/nesting.ts), but a view is bound
 * from its AST wherever it is used, so a chain of views (v2 reads v1, v3 reads v2, ...) nests as
 * deep as the chain is long, and each view may itself be nested up to the parser's limits. Binding,
 * the rewrite rules, the streaming planner and EXPLAIN all recurse over the plan, so both the
 * chain and the plan it expands to are limited; past either, a BIND error names the view or WITH
 * query at the place it is used, instead of a stack overflow reported as a bug in Weir.
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { LogicalPlan } from '../logical/plan.js';
import { children } from '../logical/plan.js';

/** Views and WITH queries being expanded inside one another at once. */
export const MAX_EXPANSION_NESTING = 64;

/** Plan nodes from a view's or WITH query's root to its deepest leaf. */
export const MAX_PLAN_DEPTH = 600;

export function checkExpansionNesting(expanding: readonly string[], what: string, name: string, span: SourceSpan): void {
  if (expanding.length < MAX_EXPANSION_NESTING) return;
  throw new WeirError(
    'BIND',
    `${what} '${name}' is nested too deeply: more than ${MAX_EXPANSION_NESTING} views and WITH queries inside one another (the limit)`,
    span,
  );
}

/** Depth of a plan, iteratively (it is measured to refuse plans too deep to recurse over). */
export function planDepth(root: LogicalPlan): number {
  let max = 0;
  const stack: { readonly p: LogicalPlan; readonly d: number }[] = [{ p: root, d: 1 }];
  while (stack.length > 0) {
    const { p, d } = stack.pop()!;
    if (d > max) max = d;
    for (const c of children(p)) stack.push({ p: c, d: d + 1 });
  }
  return max;
}

export function checkPlanDepth(plan: LogicalPlan, what: string, name: string, span: SourceSpan): void {
  if (planDepth(plan) <= MAX_PLAN_DEPTH) return;
  throw new WeirError('BIND', `${what} '${name}' expands to a plan nested too deeply: more than ${MAX_PLAN_DEPTH} levels (the limit)`, span);
}
