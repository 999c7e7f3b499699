/**
 * Filter pushdown through a lookup join (called by filter-pushdown.ts for a filter over a lookup
 * join, and for every lookup join's own condition). The probe side is never padded with NULLs, so:
 * - a WHERE conjunct over the probe's columns only filters the probe rows before the lookup (INNER
 *   and LEFT alike); for an INNER join any other WHERE conjunct joins the condition (it may be a
 *   lookup key or part of the residual); for a LEFT join it stays above;
 * - an ON conjunct over the probe only filters the probe rows of an INNER join; for a LEFT join it
 *   decides whether a probe row is padded, so it stays in the condition.
 */
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic } from '../expr.js';
import type { LogicalPlan, LookupJoin } from '../logical/plan.js';
import { filter, lookupJoin } from '../logical/plan.js';
import { conjunction, conjuncts } from './filter-pushdown.js';

const readsProbeOnly = (e: BoundExpr, width: number): boolean => {
  const cols = [...columnsUsed(e)];
  return cols.length > 0 && cols.every((c) => c < width);
};

export function pushIntoLookupJoin(
  p: LookupJoin,
  above: readonly BoundExpr[],
  stay: readonly BoundExpr[],
  pushInto: (p: LogicalPlan, preds: readonly BoundExpr[]) => LogicalPlan,
): LogicalPlan {
  const width = p.input.schema.columns.length;
  const toProbe: BoundExpr[] = [];
  const cond: BoundExpr[] = [];
  const keep: BoundExpr[] = [...stay];
  for (const c of above) {
    if (readsProbeOnly(c, width)) toProbe.push(c);
    else if (p.joinType === 'inner') cond.push(c);
    else keep.push(c);
  }
  for (const c of conjuncts(p.condition)) {
    if (p.joinType === 'inner' && isDeterministic(c) && readsProbeOnly(c, width)) toProbe.push(c);
    else cond.push(c);
  }
  // the lookup keys read both sides, so the condition never becomes empty
  const joined = lookupJoin(p.joinType, pushInto(p.input, toProbe), p.table, p.columns, conjunction(cond), p.span);
  return keep.length > 0 ? filter(joined, conjunction(keep)) : joined;
}
