/**
 * Structural identity of bound expressions, ignoring source spans: the binder matches SELECT
 * expressions against GROUP BY keys with it, and rules use it to deduplicate.
 */
import type { BoundExpr } from './expr.js';

export function exprKey(e: BoundExpr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'span' ? undefined : v));
}

export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  return exprKey(a) === exprKey(b);
}
