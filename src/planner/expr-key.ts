/**
 * Structural identity of bound expressions, ignoring source spans: the binder matches SELECT
 * expressions against GROUP BY keys with it, and rules use it to deduplicate. The same for plans:
 * the streaming planner runs identical sub-plans once.
 */
import type { BoundExpr } from './expr.js';
import type { LogicalPlan } from './logical/plan.js';

export function exprKey(e: BoundExpr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'span' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
}

export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  return exprKey(a) === exprKey(b);
}

/** A plan's structure as text: equal for plans that compute the same rows (spans ignored, tables by name). */
export function planKey(p: LogicalPlan): string {
  return JSON.stringify(p, (k, v: unknown) => {
    if (k === 'span' || k === 'spans') return undefined;
    if (k === 'table' && v !== null && typeof v === 'object' && 'name' in v) return `table ${(v as { name: string }).name}`;
    if (v instanceof Map) return [...v.entries()];
    if (typeof v === 'bigint') return `${v}n`; // an exact BIGINT literal
    return v;
  });
}
