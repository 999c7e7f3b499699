/**
 * Constant folding: evaluate the constant parts of every expression in the plan (see fold.ts for
 * what is safe to evaluate here) and drop filters that became `WHERE TRUE`.
 */
import type { AggregateCall, LogicalPlan } from '../logical/plan.js';
import { aggregate, correlate, join, lookupJoin, overAggregate, project, rank, semiJoin, temporalJoin, transformUp, windowTvf } from '../logical/plan.js';
import { foldExpr } from './fold.js';
import type { Rule } from './rule.js';

function foldCall(a: AggregateCall): AggregateCall {
  const filter = a.filter && foldExpr(a.filter);
  return {
    ...a,
    arg: a.arg && foldExpr(a.arg),
    // FILTER (WHERE TRUE) counts every row: the same as no filter.
    filter: filter && filter.kind === 'literal' && filter.value === true ? undefined : filter,
  };
}

function foldNode(p: LogicalPlan): LogicalPlan {
  switch (p.kind) {
    case 'scan': case 'union': case 'singleRow':
      return p;
    case 'semiJoin': {
      const condition = p.condition && foldExpr(p.condition);
      return semiJoin(p.anti, p.left, p.right, condition && condition.kind === 'literal' && condition.value === true ? undefined : condition, p.span);
    }
    case 'project':
      return project(p.input, p.exprs.map(foldExpr), p.names);
    case 'filter': {
      const predicate = foldExpr(p.predicate);
      if (predicate.kind === 'literal' && predicate.value === true) return p.input;
      return { ...p, predicate };
    }
    case 'watermarkAssigner':
      return { ...p, expr: foldExpr(p.expr) };
    case 'aggregate':
      return aggregate(p.input, p.groupBy.map(foldExpr), p.keyNames, p.aggregates.map(foldCall), p.aggNames, p.window);
    case 'join': {
      const condition = p.condition && foldExpr(p.condition);
      // ON TRUE matches every pair: the same as no condition
      return join(p.joinType, p.left, p.right, condition && condition.kind === 'literal' && condition.value === true ? undefined : condition, p.span);
    }
    case 'temporalJoin':
      return temporalJoin(p.left, p.right, { ...p, condition: foldExpr(p.condition) });
    case 'lookupJoin':
      return lookupJoin(p.joinType, p.input, p.table, p.columns, foldExpr(p.condition), p.span);
    case 'processCall':
      return p;
    case 'correlate':
      return correlate(p.joinType, p.input, p.fn, p.args.map(foldExpr), p.columns, p.span);
    case 'rank':
      return rank(p.input, p.partitionBy.map(foldExpr), p.orderBy.map((k) => ({ ...k, expr: foldExpr(k.expr) })), p, p.outputRank, p.rankName, p.span);
    case 'over':
      return overAggregate(p.input, { ...p, partitionBy: p.partitionBy.map(foldExpr), calls: p.calls.map(foldCall) });
    case 'windowTvf':
      return p.window.kind === 'session'
        ? windowTvf(p.input, { ...p.window, partitionBy: p.window.partitionBy.map(foldExpr) }, p.timeColumn, p.span)
        : p;
  }
}

export const constantFolding: Rule = {
  name: 'constant-folding',
  apply: (p) => transformUp(p, foldNode),
};
